using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>One page of Readwise's export API (<c>GET /api/v2/export/</c>): books with their highlights nested.</summary>
public sealed record ReadwiseExportPage(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("nextPageCursor")] JsonElement? NextPageCursor,
    [property: JsonPropertyName("results")] IReadOnlyList<ReadwiseBook>? Results)
{
    /// <summary>Readwise sends the cursor as a number today; it is kept as text so a string cursor works too.</summary>
    public string? Cursor => NextPageCursor switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.String } s => ImportSupport.NullIfBlank(s.GetString()),
        _ => null,
    };
}

public sealed record ReadwiseTag([property: JsonPropertyName("name")] string? Name);

public sealed record ReadwiseBook
{
    [JsonPropertyName("user_book_id")] public long UserBookId { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("readable_title")] public string? ReadableTitle { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("source_url")] public string? SourceUrl { get; init; }
    [JsonPropertyName("unique_url")] public string? UniqueUrl { get; init; }
    [JsonPropertyName("category")] public string? Category { get; init; }
    [JsonPropertyName("book_tags")] public IReadOnlyList<ReadwiseTag>? BookTags { get; init; }
    [JsonPropertyName("highlights")] public IReadOnlyList<ReadwiseHighlight>? Highlights { get; init; }
}

public sealed record ReadwiseHighlight
{
    [JsonPropertyName("id")] public long Id { get; init; }
    [JsonPropertyName("text")] public string? Text { get; init; }
    [JsonPropertyName("note")] public string? Note { get; init; }
    [JsonPropertyName("location")] public JsonElement? Location { get; init; }
    [JsonPropertyName("location_type")] public string? LocationType { get; init; }
    [JsonPropertyName("color")] public string? Color { get; init; }
    [JsonPropertyName("highlighted_at")] public string? HighlightedAt { get; init; }
    [JsonPropertyName("updated_at")] public string? UpdatedAt { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("tags")] public IReadOnlyList<ReadwiseTag>? Tags { get; init; }
    [JsonPropertyName("is_favorite")] public bool IsFavorite { get; init; }
    [JsonPropertyName("is_discard")] public bool IsDiscard { get; init; }
    [JsonPropertyName("is_deleted")] public bool IsDeleted { get; init; }
}

/// <summary>What one upstream item became: a highlight, a note on its source, or skipped (and why).</summary>
public sealed record UpstreamItem(string ExternalId, Highlight? Highlight = null, SourceNote? Note = null, string? Skipped = null)
{
    /// <summary>Deleted upstream: Hatch removes its copy if no draft cites it.</summary>
    public bool Deleted { get; init; }
}

/// <summary>
/// Maps Readwise's export API by the rules of <see cref="ReadwiseCsvImporter"/>: the same typed locations, discarded
/// highlights skipped and counted, highlight and book tags together; and what only the API gives: the favourite flag
/// (kept as the tag <see cref="FavoriteTag"/>), the book's source URL and deletions.
/// </summary>
public static class ReadwiseExportMapper
{
    public const string FavoriteTag = "favorite";

    public static IEnumerable<UpstreamItem> Map(ReadwiseBook book)
    {
        var title = ImportSupport.NullIfBlank(book.ReadableTitle) ?? ImportSupport.NullIfBlank(book.Title) ?? HighlightSource.Unknown.Title;
        var url = ImportSupport.NullIfBlank(book.SourceUrl) ?? ImportSupport.NullIfBlank(book.UniqueUrl);
        var source = new HighlightSource(title, ImportSupport.NullIfBlank(book.Author), url);
        var bookTags = (book.BookTags ?? []).Select(t => t.Name).OfType<string>().Where(t => t.Trim().Length > 0).ToList();
        foreach (var item in book.Highlights ?? [])
        {
            var id = item.Id.ToString(CultureInfo.InvariantCulture);
            if (item.IsDeleted)
            {
                yield return new UpstreamItem(id, Skipped: "deleted in Readwise") { Deleted = true };
                continue;
            }
            if (string.IsNullOrWhiteSpace(item.Text))
            {
                yield return new UpstreamItem(id, Skipped: "a highlight with no text");
                continue;
            }
            var tags = (item.Tags ?? []).Select(t => t.Name).OfType<string>().Where(t => t.Trim().Length > 0).ToList();
            if (item.IsDiscard || tags.Any(t => t.Equals(ReadwiseCsvImporter.DiscardTag, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new UpstreamItem(id, Skipped: $"discarded in Readwise's review ('{ImportSupport.Shorten(item.Text)}')");
                continue;
            }
            if (item.IsFavorite) tags.Add(FavoriteTag);
            ImportSupport.TryOptionalTimestamp(item.HighlightedAt, out var highlightedAt, out _);
            yield return new UpstreamItem(id, new Highlight
            {
                Text = item.Text,
                Note = ImportSupport.NullIfBlank(item.Note),
                Source = source,
                Location = ReadwiseCsvImporter.ToLocation(item.LocationType, LocationText(item.Location)),
                Tags = [.. tags, .. bookTags],
                Color = ImportSupport.NullIfBlank(item.Color),
                HighlightedAt = highlightedAt,
            });
        }
    }

    private static string? LocationText(JsonElement? location) => location switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        _ => null,
    };
}
