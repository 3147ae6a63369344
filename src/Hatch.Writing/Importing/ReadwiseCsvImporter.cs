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

    public string Format => "readwise";

    public int Detect(string content)
    {
        if (CsvInput.Header(content) is not { } header) return 0;
        var names = header.Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!names.Contains("Highlight") || !names.Contains("Book Title")) return 0;
        // Every known column present is more evidence; the two above alone already rule out Glasp's columns.
        return 50 + 4 * KnownColumns.Count(names.Contains);
    }

    public ImportResult Import(string content, string fileName) =>
        CsvInput.Read(content, fileName, Format, "Readwise CSV", "Highlight", row =>
        {
            var text = row.Field("Highlight");
            if (text is null) return (null, "missing highlight text");
            if (!ImportSupport.TryOptionalTimestamp(row.Field("Highlighted at"), out var highlightedAt, out var dateError))
                return (null, $"'Highlighted at': {dateError}");

            var highlight = new Highlight
            {
                Text = text,
                Note = row.Field("Note"),
                Source = new HighlightSource(row.Field("Book Title") ?? HighlightSource.Unknown.Title, row.Field("Book Author")),
                Location = ToLocation(row.Field("Location Type"), row.Field("Location")),
                Tags = [.. ImportSupport.SplitTags(row.Field("Tags")), .. ImportSupport.SplitTags(row.Field("Document tags"))],
                Color = row.Field("Color"),
                HighlightedAt = highlightedAt,
            };
            return (highlight, null);
        });

    /// <summary>
    /// Readwise types its locations: Kindle locations, book pages, the highlight's order within an article
    /// (kept as an offset, which is what sorts web highlights), an offset, or a time in a podcast or video.
    /// </summary>
    internal static HighlightLocation? ToLocation(string? type, string? value)
    {
        if (value is null) return null;
        value = value.Trim();
        var number = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        return type?.Trim().ToLowerInvariant() switch
        {
            "page" => new HighlightLocation(Page: value),
            "order" or "offset" when number is not null => new HighlightLocation(Offset: number),
            "time" => new HighlightLocation(Location: number is { } seconds ? $"{TimeSpan.FromSeconds(seconds):g}" : value),
            _ => new HighlightLocation(Location: value),
        };
    }
}
