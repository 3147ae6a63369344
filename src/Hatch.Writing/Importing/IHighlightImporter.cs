using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>Reads one export format. Implementations are stateless and safe to share.</summary>
public interface IHighlightImporter
{
    /// <summary>The name used on the command line and in reports: kindle, readwise, glasp, hypothesis, json, markdown.</summary>
    string Format { get; }

    /// <summary>
    /// How sure this importer is that <paramref name="content"/> is its format, judged by content, never by file name:
    /// 0 means "not mine"; higher is more certain. Auto-detection takes the highest score.
    /// </summary>
    int Detect(string content);

    /// <summary>
    /// Reads every record it can. A bad record becomes an <see cref="ImportIssue"/> and the rest are still read.
    /// </summary>
    ImportResult Import(string content, string fileName);
}

/// <summary>One rejected record: where it is and what is wrong, in words a person can act on.</summary>
public sealed record ImportIssue(string File, int? Line, string? JsonPath, string Message)
{
    public override string ToString()
    {
        var where = Line is not null ? $"{File}:{Line}" : File;
        if (JsonPath is not null) where += $" ({JsonPath})";
        return $"{where}: {Message}";
    }
}

/// <summary>What one import produced.</summary>
public sealed record ImportResult(string Format, IReadOnlyList<Highlight> Highlights, IReadOnlyList<ImportIssue> Rejected, int Duplicates = 0);

/// <summary>Thrown when a whole file cannot be read (unknown format, or any rejection under --strict).</summary>
public sealed class ImportException(string message, IReadOnlyList<ImportIssue>? issues = null) : Exception(message)
{
    public IReadOnlyList<ImportIssue> Issues { get; } = issues ?? [];

    /// <summary>The <see cref="HatchLimits"/> option the file exceeds, when that is why it was refused; null otherwise.</summary>
    public string? Limit { get; init; }
}
