using System.Globalization;
using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads Hatch's own JSON: an array of <see cref="Highlight"/> objects, or <c>{ "highlights": [...] }</c>, as
/// System.Text.Json writes them with its web defaults (camelCase). Fields are read one by one rather than
/// deserialized, so that one bad highlight is reported at its JSON path and the others still import, and
/// computed members such as <c>contentHash</c> in the file are ignored.
/// </summary>
public sealed class HatchJsonImporter : IHighlightImporter
{
    public string Format => "json";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        if (head.Length == 0 || head[0] is not ('{' or '[')) return 0;
        var hasText = head.Contains("\"text\"", StringComparison.Ordinal);
        if (hasText && head.Contains("\"source\"", StringComparison.Ordinal)) return 80;
        if (hasText && head.Contains("\"highlights\"", StringComparison.Ordinal)) return 40;
        // A hand-written file may have nothing but text; JSON without even that is left to "cannot tell the format".
        return hasText ? 30 : 0;
    }

    public ImportResult Import(string content, string fileName)
    {
        using var input = JsonInput.Parse(content, fileName, "Hatch JSON");
        var (items, itemsPath) = input.Root switch
        {
            { ValueKind: JsonValueKind.Array } array => (array, "$"),
            { ValueKind: JsonValueKind.Object } obj when obj.TryGetProperty("highlights", out var list) && list.ValueKind == JsonValueKind.Array
                => (list, "$.highlights"),
            _ => throw new ImportException($"{fileName}: not a Hatch JSON file: expected an array of highlights or {{ \"highlights\": [...] }}",
                [new ImportIssue(fileName, 1, "$", "expected an array of highlights")]),
        };

        var highlights = new List<Highlight>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = JsonPaths.Index(itemsPath, index++);
            if (Read(item, path, out var message) is { } highlight) highlights.Add(highlight);
            else input.Reject(path, message!);
        }
        return new ImportResult(Format, highlights, input.Issues);
    }

    private static Highlight? Read(JsonElement item, string path, out string? message) =>
        JsonHighlights.Read(item, path, (JsonElement element, string at, ref string? error) =>
            (ReadSource(element, at, ref error), ReadLocation(element, at, ref error)), out message, "highlightedAt");

    /// <summary>A source object as Hatch writes it; a bare string is taken as the title, as people write it by hand.</summary>
    private static HighlightSource ReadSource(JsonElement item, string path, ref string? error)
    {
        if (!JsonFields.TryGetProperty(item, "source", out var source)) return HighlightSource.Unknown;
        var sourcePath = JsonPaths.Property(path, "source");
        switch (source.ValueKind)
        {
            case JsonValueKind.Null:
                return HighlightSource.Unknown;
            case JsonValueKind.String:
                return new HighlightSource(ImportSupport.NullIfBlank(source.GetString()) ?? HighlightSource.Unknown.Title);
            case JsonValueKind.Object:
                var title = JsonFields.String(source, sourcePath, "title", ref error);
                var author = JsonFields.String(source, sourcePath, "author", ref error);
                var url = JsonFields.String(source, sourcePath, "url", ref error);
                return new HighlightSource(ImportSupport.NullIfBlank(title) ?? HighlightSource.Unknown.Title, ImportSupport.NullIfBlank(author), ImportSupport.NullIfBlank(url));
            default:
                error ??= $"{sourcePath} should be an object with a title, not {JsonFields.Describe(source.ValueKind)}";
                return HighlightSource.Unknown;
        }
    }

    private static HighlightLocation? ReadLocation(JsonElement item, string path, ref string? error)
    {
        if (!JsonFields.TryGetProperty(item, "location", out var location) || location.ValueKind == JsonValueKind.Null) return null;
        var locationPath = JsonPaths.Property(path, "location");
        if (location.ValueKind != JsonValueKind.Object)
        {
            error ??= $"{locationPath} should be an object, not {JsonFields.Describe(location.ValueKind)}";
            return null;
        }
        var page = JsonFields.String(location, locationPath, "page", ref error);
        var at = JsonFields.String(location, locationPath, "location", ref error);
        var offsetText = JsonFields.String(location, locationPath, "offset", ref error);
        int? offset = null;
        if (offsetText is not null)
        {
            if (int.TryParse(offsetText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) offset = parsed;
            else error ??= $"{JsonPaths.Property(locationPath, "offset")} should be a whole number, not '{ImportSupport.Shorten(offsetText)}'";
        }
        var result = new HighlightLocation(ImportSupport.NullIfBlank(page), ImportSupport.NullIfBlank(at), offset);
        return result.IsEmpty ? null : result;
    }
}
