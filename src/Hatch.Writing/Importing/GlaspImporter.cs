using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads Glasp in the three shapes it exports: the Markdown its Obsidian plugin writes (<see cref="GlaspObsidianMarkdown"/>), the export API's JSON (documents with <c>title</c>, <c>url</c>,
/// <c>glasp_url</c>, <c>tags</c> and <c>highlights[]</c>, under <c>results</c> or as a bare array) and the CSV that
/// its Google Sheets integration writes (<c>Document Title, Document URL, Glasp URL, Highlight Text, Note, Tags,
/// Color, Highlighted At</c>).
/// </summary>
/// <remarks>
/// Text is kept exactly as Glasp sends it: no HTML entity decoding. Glasp captures the page's text, not its markup,
/// so an "&amp;amp;" in a highlight is what was on the page; decoding it would be a guess that could also turn inert
/// "&amp;lt;script&amp;gt;" into markup. Every renderer escapes highlight text, so leaving it alone is the safe side.
/// </remarks>
public sealed class GlaspImporter : IHighlightImporter
{
    private static readonly string[] DocumentArrayNames = ["results", "documents", "data", "items"];

    public string Format => "glasp";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        if (head.Length == 0) return 0;
        if (GlaspObsidianMarkdown.Looks(head)) return 97;
        if (head[0] is '{' or '[')
        {
            if (head.Contains("\"glasp_url\"", StringComparison.Ordinal)) return 95;
            return head.Contains("\"highlights\"", StringComparison.Ordinal) && head.Contains("\"highlighted_at\"", StringComparison.Ordinal) ? 60 : 0;
        }
        if (CsvInput.Header(content) is not { } header) return 0;
        var names = header.Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!names.Contains("Highlight Text")) return 0;
        return 60 + (names.Contains("Document Title") ? 15 : 0) + (names.Contains("Glasp URL") ? 20 : 0);
    }

    public ImportResult Import(string content, string fileName)
    {
        if (GlaspObsidianMarkdown.Looks(ImportSupport.Head(content))) return GlaspObsidianMarkdown.Import(content.TrimStart(ImportSupport.ByteOrderMark), fileName, Format);
        var head = ImportSupport.Head(content, 1);
        return head.Length > 0 && head[0] is '{' or '[' ? ImportJson(content, fileName) : ImportCsv(content, fileName);
    }

    private ImportResult ImportCsv(string content, string fileName) =>
        CsvInput.Read(content, fileName, Format, "Glasp CSV", "Highlight Text", row =>
        {
            var text = row.Field("Highlight Text");
            if (text is null) return (null, "missing highlight text");
            if (!ImportSupport.TryOptionalTimestamp(row.Field("Highlighted At"), out var highlightedAt, out var dateError))
                return (null, $"'Highlighted At': {dateError}");
            var url = row.Field("Document URL") ?? row.Field("Glasp URL");
            return (new Highlight
            {
                Text = text,
                Note = row.Field("Note"),
                Source = new HighlightSource(row.Field("Document Title") ?? url ?? HighlightSource.Unknown.Title, null, url),
                Tags = [.. ImportSupport.SplitTags(row.Field("Tags"))],
                Color = row.Field("Color"),
                HighlightedAt = highlightedAt,
            }, null);
        });

    private ImportResult ImportJson(string content, string fileName)
    {
        using var input = JsonInput.Parse(content, fileName, "Glasp");
        var highlights = new List<Highlight>();
        foreach (var (doc, path) in Documents(input.Root, fileName))
        {
            if (doc.ValueKind != JsonValueKind.Object)
            {
                input.Reject(path, $"expected a document object, found {JsonFields.Describe(doc.ValueKind)}");
                continue;
            }
            string? error = null;
            var url = JsonFields.String(doc, path, "url", ref error);
            var title = JsonFields.String(doc, path, "title", ref error);
            var author = JsonFields.String(doc, path, "author", ref error);
            var docTags = JsonFields.Tags(doc, path, ref error);
            if (error is not null)
            {
                input.Reject(path, error);
                continue;
            }
            var source = new HighlightSource(ImportSupport.NullIfBlank(title) ?? ImportSupport.NullIfBlank(url) ?? HighlightSource.Unknown.Title,
                ImportSupport.NullIfBlank(author), ImportSupport.NullIfBlank(url));

            if (!JsonFields.TryGetProperty(doc, "highlights", out var list) || list.ValueKind == JsonValueKind.Null) continue;
            var listPath = JsonPaths.Property(path, "highlights");
            if (list.ValueKind != JsonValueKind.Array)
            {
                input.Reject(listPath, $"highlights should be an array, not {JsonFields.Describe(list.ValueKind)}");
                continue;
            }
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var itemPath = JsonPaths.Index(listPath, index++);
                if (ReadHighlight(item, itemPath, source, docTags, out var message) is { } highlight) highlights.Add(highlight);
                else input.Reject(itemPath, message!);
            }
        }
        return new ImportResult(Format, highlights, input.Issues);
    }

    private static Highlight? ReadHighlight(JsonElement item, string path, HighlightSource source, IReadOnlyList<string> docTags, out string? message) =>
        JsonHighlights.Read(item, path, (JsonElement _, string _, ref string? _) => (source, null), out message, "highlighted_at", "created_at")
            is { } highlight ? highlight with { Tags = [.. docTags, .. highlight.Tags] } : null;

    private static IEnumerable<(JsonElement Document, string Path)> Documents(JsonElement root, string fileName)
    {
        if (root.ValueKind == JsonValueKind.Array) return root.EnumerateArray().Select((d, i) => (d, JsonPaths.Index("$", i)));
        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in DocumentArrayNames)
            {
                if (root.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
                    return list.EnumerateArray().Select((d, i) => (d, JsonPaths.Index(JsonPaths.Property("$", name), i)));
            }
            if (root.TryGetProperty("highlights", out _)) return [(root, "$")];
        }
        throw new ImportException($"{fileName}: not a Glasp export: expected documents with highlights[] (under \"results\" or as an array)",
            [new ImportIssue(fileName, 1, "$", "expected documents with highlights[]")]);
    }
}
