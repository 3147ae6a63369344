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

/// <summary>
/// What one import produced. Every entry of the file is accounted for: a highlight (new, or a duplicate merged into
/// another), a note (attached to its highlight or kept on its source), a bookmark, a rejected record or a skipped one.
/// </summary>
public sealed record ImportResult(string Format, IReadOnlyList<Highlight> Highlights, IReadOnlyList<ImportIssue> Rejected, int Duplicates = 0)
{
    /// <summary>The file's note records, whether attached to a highlight or kept in <see cref="KeptNotes"/>.</summary>
    public int Notes { get; init; }

    /// <summary>Notes that annotate no highlight of the file, kept on their source.</summary>
    public IReadOnlyList<SourceNote> KeptNotes { get; init; } = [];

    /// <summary>Bookmarks read and skipped: a place in a book, with nothing to quote.</summary>
    public int Bookmarks { get; init; }

    /// <summary>Highlight entries the device cut short (before duplicates are merged).</summary>
    public int TruncatedByDevice { get; init; }

    /// <summary>
    /// Entries left out on purpose, not because they are broken: Readwise discards, Hypothesis replies, clipped
    /// articles. Unlike <see cref="Rejected"/>, they never fail a --strict import.
    /// </summary>
    public IReadOnlyList<ImportIssue> Skipped { get; init; } = [];

    /// <summary>What could not be read of entries that were imported anyway (an unknown date, an unknown header word).</summary>
    public IReadOnlyList<ImportIssue> Warnings { get; init; } = [];

    /// <summary>Rejected and skipped entries together, in file order: every entry that did not become a highlight or note.</summary>
    public IReadOnlyList<ImportIssue> NotImported =>
        Rejected.Concat(Skipped).OrderBy(i => i.Line ?? int.MaxValue).ToArray();

    /// <summary>True when the file held anything Hatch recognised, even if all of it was skipped.</summary>
    public bool ReadAnything => Highlights.Count + Duplicates + Notes + Bookmarks + Skipped.Count > 0;
}

/// <summary>Thrown when a whole file cannot be read (unknown format, or any rejection under --strict).</summary>
public sealed class ImportException(string message, IReadOnlyList<ImportIssue>? issues = null) : Exception(message)
{
    public IReadOnlyList<ImportIssue> Issues { get; } = issues ?? [];

    /// <summary>The <see cref="HatchLimits"/> option the file exceeds, when that is why it was refused; null otherwise.</summary>
    public string? Limit { get; init; }

    /// <summary>
    /// When choosing the format would read the file: the formats to offer. The message does not say how to choose,
    /// because that depends on where it is shown (<c>--format</c> on the command line, a list on the import page).
    /// </summary>
    public IReadOnlyList<string>? ChooseFormat { get; init; }
}
