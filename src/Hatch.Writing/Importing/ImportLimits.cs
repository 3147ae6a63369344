using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// <c>Hatch:Limits</c>: how much one request may ask of Hatch. Each limit is a number a person can find in the error
/// that enforces it, so a refused import or hatch says which option to raise. (The upload size in bytes is
/// <c>Hatch:Web:MaxUploadBytes</c>, because only the web front door reads bytes from strangers.)
/// </summary>
public sealed class HatchLimits
{
    public const string SectionName = "Hatch:Limits";

    /// <summary>Highlights one import (a file, or a JSON batch) may hold.</summary>
    [Range(1, 1_000_000)]
    public int MaxHighlightsPerImport { get; set; } = 10_000;

    /// <summary>Characters one highlight's text (or note) may have: a passage, not a book.</summary>
    [Range(100, 1_000_000)]
    public int MaxHighlightLength { get; set; } = 10_000;

    /// <summary>Highlights one hatch request may name by id.</summary>
    [Range(1, 100_000)]
    public int MaxHatchSelection { get; set; } = 1_000;

    /// <summary>Highlights one user's library may hold: imports, batches and page uploads that would pass it are refused whole.</summary>
    [Range(1, 100_000_000)]
    public int MaxHighlightsPerUser { get; set; } = 100_000;

    /// <summary>Section revisions by the model that may wait or run at once for one draft; each is a model call.</summary>
    [Range(1, 100)]
    public int MaxPendingRevisionsPerDraft { get; set; } = 3;

    /// <summary>The message for an import that would take a library over <see cref="MaxHighlightsPerUser"/>.</summary>
    public string LibraryFull(int stored, int adding) =>
        $"the library holds {stored.ToString("N0", CultureInfo.InvariantCulture)} highlights and this would add {adding.ToString("N0", CultureInfo.InvariantCulture)} more; "
        + $"a library holds at most {MaxHighlightsPerUser.ToString("N0", CultureInfo.InvariantCulture)} (Hatch:Limits:MaxHighlightsPerUser)";

    /// <summary>Fixed caps on the fields beside text and note: generous for any real export, small enough that one row cannot fill a page.</summary>
    public const int MaxSourceLength = 1_000, MaxAuthorLength = 500, MaxUrlLength = 2_048, MaxLocationLength = 100,
        MaxTags = 50, MaxTagLength = 100, MaxColorLength = 50;

    /// <summary>Every field's length checked, named as an API caller sees the fields.</summary>
    public string? TooLong(Highlight highlight, out string field)
    {
        field = "text";
        if (highlight.Text.Length > MaxHighlightLength)
            return $"text is {highlight.Text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is {MaxHighlightLength.ToString("N0", CultureInfo.InvariantCulture)} (Hatch:Limits:MaxHighlightLength)";
        field = "note";
        if (highlight.Note is { } note && note.Length > MaxHighlightLength)
            return $"note is {note.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is {MaxHighlightLength.ToString("N0", CultureInfo.InvariantCulture)} (Hatch:Limits:MaxHighlightLength)";
        foreach (var (name, value, limit) in new (string, string?, int)[]
        {
            ("source", highlight.Source.Title, MaxSourceLength),
            ("author", highlight.Source.Author, MaxAuthorLength),
            ("url", highlight.Source.Url, MaxUrlLength),
            ("page", highlight.Location?.Page, MaxLocationLength),
            ("location", highlight.Location?.Location, MaxLocationLength),
            ("color", highlight.Color, MaxColorLength),
        })
        {
            field = name;
            if (value is not null && value.Length > limit)
                return $"{name} is {value.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is {limit.ToString("N0", CultureInfo.InvariantCulture)}";
        }
        field = "tags";
        if (highlight.Tags.Count > MaxTags)
            return $"tags has {highlight.Tags.Count.ToString("N0", CultureInfo.InvariantCulture)} entries; the limit is {MaxTags}";
        if (highlight.Tags.FirstOrDefault(t => t.Length > MaxTagLength) is { } longTag)
            return $"tags has an entry {longTag.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; the limit is {MaxTagLength}";
        return null;
    }

    public string TooMany(int count) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} highlights; an import takes at most {MaxHighlightsPerImport.ToString("N0", CultureInfo.InvariantCulture)} (Hatch:Limits:MaxHighlightsPerImport). Split the export into smaller files";
}

/// <summary>
/// Applies <see cref="HatchLimits"/> to what an importer read. A file over a limit is refused as a whole (an
/// <see cref="ImportException"/> with <see cref="ImportException.Limit"/> set), naming the line of each highlight that
/// is too long, so the person can find it, shorten it and upload again.
/// </summary>
internal static class ImportLimitCheck
{
    private const int MaxListed = 10;

    public static void Enforce(HatchLimits limits, ImportResult result, string content, string fileName)
    {
        if (result.Highlights.Count > limits.MaxHighlightsPerImport)
        {
            var issue = new ImportIssue(fileName, null, null, $"the file has {limits.TooMany(result.Highlights.Count)}");
            throw new ImportException($"{fileName}: {issue.Message}.", [issue]) { Limit = nameof(HatchLimits.MaxHighlightsPerImport) };
        }

        var issues = new List<ImportIssue>();
        var tooLong = 0;
        var otherFields = false;
        for (var i = 0; i < result.Highlights.Count; i++)
        {
            var highlight = result.Highlights[i];
            if (limits.TooLong(highlight, out var field) is not { } message) continue;
            tooLong++;
            if (field is not ("text" or "note")) otherFields = true;
            if (issues.Count < MaxListed)
                issues.Add(new ImportIssue(fileName, LineOf(content, field == "note" ? highlight.Note! : highlight.Text), null, $"highlight {i + 1}: {message}"));
        }
        if (tooLong == 0) return;
        var more = tooLong > issues.Count ? $" (the first {issues.Count} are listed)" : "";
        var what = otherFields
            ? "over a field's length limit"
            : $"longer than {limits.MaxHighlightLength.ToString("N0", CultureInfo.InvariantCulture)} characters (Hatch:Limits:MaxHighlightLength)";
        throw new ImportException(
            $"{fileName}: {tooLong} highlight{(tooLong == 1 ? " is" : "s are")} {what}{more}; first: {issues[0]}",
            issues) { Limit = nameof(HatchLimits.MaxHighlightLength) };
    }

    /// <summary>
    /// The line a highlight's text starts on. Highlights carry no positions, so its opening words are looked up in the
    /// file as written, as a JSON string or a quoted CSV field would write them; null when none is found (the message
    /// still numbers the highlight).
    /// </summary>
    internal static int? LineOf(string content, string text)
    {
        var firstLine = text.Split('\n', 2)[0].Trim();
        if (firstLine.Length == 0) return null;
        // Importers drop byte order marks inside lines (Kindle files have them anywhere); without them the text is
        // found, on the same line, since a mark is never a line break.
        if (content.Contains(ImportSupport.ByteOrderMark))
            content = content.Replace(ImportSupport.ByteOrderMark.ToString(), "", StringComparison.Ordinal);
        // The stored text is cleaned (JSON and HTML escapes read, spaces tidied), so the whole line may not be in the
        // file as written: a shorter start, then a long word of it, still finds the line.
        IEnumerable<string> Probes()
        {
            yield return firstLine;
            if (firstLine.Length > 40) yield return firstLine[..40];
            if (firstLine.Length > 16) yield return firstLine[..16];
            foreach (var word in firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 6).Take(5))
                yield return word;
        }
        foreach (var probe in Probes())
            if (Find(content, probe) is { } line) return line;
        return null;
    }

    private static int? Find(string content, string firstLine)
    {
        foreach (var length in (int[])[60, 24, 8])
        {
            var probe = firstLine.Length > length ? firstLine[..length] : firstLine;
            // As written, as a JSON string writes it, and as a quoted CSV field writes it.
            foreach (var spelling in (string[])[probe, JsonSerializer.Serialize(probe)[1..^1], probe.Replace("\"", "\"\"")])
            {
                var at = content.IndexOf(spelling, StringComparison.Ordinal);
                if (at >= 0) return 1 + content.AsSpan(0, at).Count('\n');
            }
        }
        return null;
    }
}
