using System.Globalization;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads Readwise's CSV export (<c>Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,
/// Location,Highlighted at,Document tags</c>) with CsvHelper, so quoted commas, doubled quotes and line breaks
/// inside a highlight are read as Readwise wrote them.
/// </summary>
public sealed class ReadwiseCsvImporter : IHighlightImporter
{
    private static readonly string[] KnownColumns =
        ["Highlight", "Book Title", "Book Author", "Amazon Book ID", "Note", "Color", "Tags", "Location Type", "Location", "Highlighted at", "Document tags"];

    /// <summary>The tag Readwise's review gives a highlight the reader chose to discard.</summary>
    public const string DiscardTag = "discard";

    public string Format => "readwise";

    /// <summary>Import highlights discarded in Readwise's review too (by default they are skipped and counted).</summary>
    public bool IncludeDiscarded { get; init; }

    public int Detect(string content)
    {
        if (CsvInput.Header(content) is not { } header) return 0;
        var names = header.Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!names.Contains("Highlight") || !names.Contains("Book Title")) return 0;
        // Every known column present is more evidence; the two above alone already rule out Glasp's columns.
        return 50 + 4 * KnownColumns.Count(names.Contains);
    }

    public ImportResult Import(string content, string fileName)
    {
        var discarded = new List<ImportIssue>();
        var result = CsvInput.Read(content, fileName, Format, "Readwise CSV", "Highlight", row =>
        {
            var text = row.Field("Highlight");
            if (text is null) return (null, "missing highlight text");
            var tags = ImportSupport.SplitTags(row.Field("Tags")).ToList();
            // Exports of the 2019–2020 era carry the review's verdict as a tag; some tools add an is_discard column.
            var isDiscard = tags.Any(t => t.Equals(DiscardTag, StringComparison.OrdinalIgnoreCase))
                            || row.Field("is_discard") is { } flag && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1");
            if (isDiscard && !IncludeDiscarded)
            {
                discarded.Add(new ImportIssue(fileName, row.Line, null, $"discarded in Readwise's review ('{ImportSupport.Shorten(text)}'); --include-discarded imports it"));
                return (null, null);
            }
            if (!ImportSupport.TryOptionalTimestamp(row.Field("Highlighted at"), out var highlightedAt, out var dateError))
                return (null, $"'Highlighted at': {dateError}");

            var highlight = new Highlight
            {
                Text = text,
                Note = row.Field("Note"),
                Source = new HighlightSource(row.Field("Book Title") ?? HighlightSource.Unknown.Title, row.Field("Book Author")),
                Location = ToLocation(row.Field("Location Type"), row.Field("Location")),
                Tags = [.. tags, .. ImportSupport.SplitTags(row.Field("Document tags"))],
                Color = row.Field("Color"),
                HighlightedAt = highlightedAt,
            };
            return (highlight, null);
        });
        return result with { Skipped = discarded };
    }

    /// <summary>
    /// Readwise types its locations: Kindle locations, book pages, an offset, a time in a podcast or video, the
    /// highlight's order within an article, and others. Each is kept as the type it is: a page as a page, an offset as
    /// an offset, a time as a time, anything else as "type value" ("order 3"), so nothing claims to be what it is not.
    /// An empty type with location 0 is Readwise's way of saying there is no location.
    /// </summary>
    internal static HighlightLocation? ToLocation(string? type, string? value)
    {
        if (value is null) return null;
        value = value.Trim();
        type = type?.Trim().ToLowerInvariant();
        var number = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        return type switch
        {
            null or "" when number == 0 => null,
            null or "" or "location" => new HighlightLocation(Location: value),
            "page" => new HighlightLocation(Page: value),
            "offset" when number is not null => new HighlightLocation(Offset: number),
            "time" => new HighlightLocation(Location: number is { } seconds ? $"{TimeSpan.FromSeconds(seconds):g}" : value),
            _ => new HighlightLocation(Location: $"{type} {value}"),
        };
    }
}
