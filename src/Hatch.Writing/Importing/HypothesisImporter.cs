using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads the Hypothesis API's search result (<c>{ "total": n, "rows": [...] }</c>). The highlighted passage is the
/// <c>exact</c> of a <c>TextQuoteSelector</c> in <c>target[].selector[]</c>; the annotation's own <c>text</c> is the
/// reader's note. Annotations without a quote are page notes or replies: they are not highlights, so they are skipped
/// without being counted as errors.
/// </summary>
/// <remarks>
/// No HTML decoding: <c>exact</c> is the text of the page's DOM, not markup, and the note is the reader's Markdown.
/// Decoding entities would change what the reader wrote and could make inert text live; renderers escape instead.
/// </remarks>
public sealed class HypothesisImporter : IHighlightImporter
{
    public string Format => "hypothesis";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        if (head.Length == 0 || head[0] is not ('{' or '[')) return 0;
        var score = 0;
        if (head.Contains("\"TextQuoteSelector\"", StringComparison.Ordinal)) score += 60;
        if (head.Contains("\"rows\"", StringComparison.Ordinal)) score += 20;
        if (head.Contains("\"target\"", StringComparison.Ordinal)) score += 15;
        return score >= 60 || (score == 35 && head.Contains("\"uri\"", StringComparison.Ordinal)) ? Math.Max(score, 60) : 0;
    }

    public ImportResult Import(string content, string fileName)
    {
        using var input = JsonInput.Parse(content, fileName, "Hypothesis");
        var (rows, rowsPath) = Rows(input.Root, fileName);
        var highlights = new List<Highlight>();
        var index = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var path = JsonPaths.Index(rowsPath, index++);
            if (row.ValueKind != JsonValueKind.Object)
            {
                input.Reject(path, $"expected an annotation object, found {JsonFields.Describe(row.ValueKind)}");
                continue;
            }
            switch (ReadQuote(row, path))
            {
                case { Error: { } error, ErrorPath: var errorPath }:
                    input.Reject(errorPath ?? path, error);
                    continue;
                case { Quote: null }:
                    continue; // a page note or a reply: not a highlight
                case { Quote: { } quote, Offset: var offset }:
                    if (ReadAnnotation(row, path, quote, offset, out var message) is { } highlight) highlights.Add(highlight);
                    else input.Reject(path, message!);
                    break;
            }
        }
        return new ImportResult(Format, highlights, input.Issues);
    }

    private static (JsonElement Rows, string Path) Rows(JsonElement root, string fileName)
    {
        if (root.ValueKind == JsonValueKind.Array) return (root, "$");
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array)
            return (rows, "$.rows");
        throw new ImportException($"{fileName}: not a Hypothesis export: expected an object with a \"rows\" array of annotations",
            [new ImportIssue(fileName, 1, "$.rows", "expected a \"rows\" array of annotations")]);
    }

    private readonly record struct QuoteResult(string? Quote, int? Offset, string? Error = null, string? ErrorPath = null);

    private static QuoteResult ReadQuote(JsonElement row, string path)
    {
        if (!JsonFields.TryGetProperty(row, "target", out var targets) || targets.ValueKind == JsonValueKind.Null) return default;
        var targetsPath = JsonPaths.Property(path, "target");
        if (targets.ValueKind != JsonValueKind.Array)
            return new QuoteResult(null, null, $"target should be an array, not {JsonFields.Describe(targets.ValueKind)}", targetsPath);

        var t = 0;
        foreach (var target in targets.EnumerateArray())
        {
            var targetPath = JsonPaths.Index(targetsPath, t++);
            if (target.ValueKind != JsonValueKind.Object)
                return new QuoteResult(null, null, $"expected a target object, found {JsonFields.Describe(target.ValueKind)}", targetPath);
            if (!JsonFields.TryGetProperty(target, "selector", out var selectors) || selectors.ValueKind == JsonValueKind.Null) continue;
            if (selectors.ValueKind != JsonValueKind.Array)
                return new QuoteResult(null, null, $"selector should be an array, not {JsonFields.Describe(selectors.ValueKind)}", targetPath);

            string? quote = null;
            int? offset = null;
            foreach (var selector in selectors.EnumerateArray())
            {
                if (selector.ValueKind != JsonValueKind.Object) continue; // selectors Hatch does not use may be anything
                if (!JsonFields.TryGetProperty(selector, "type", out var type) || type.ValueKind != JsonValueKind.String) continue;
                switch (type.GetString())
                {
                    case "TextQuoteSelector":
                        if (!JsonFields.TryGetProperty(selector, "exact", out var exact) || exact.ValueKind == JsonValueKind.Null)
                            return new QuoteResult(null, null, "the TextQuoteSelector has no \"exact\" quote", targetPath);
                        if (exact.ValueKind != JsonValueKind.String)
                            return new QuoteResult(null, null, $"the TextQuoteSelector's \"exact\" should be a string, not {JsonFields.Describe(exact.ValueKind)}", targetPath);
                        quote = exact.GetString();
                        break;
                    case "TextPositionSelector":
                        if (JsonFields.TryGetProperty(selector, "start", out var start) && start.ValueKind == JsonValueKind.Number && start.TryGetInt32(out var s))
                            offset = s;
                        break;
                }
            }
            // An empty quote is what the client sends when a selection collapsed to nothing: there is no highlight.
            if (!string.IsNullOrWhiteSpace(quote)) return new QuoteResult(quote, offset);
        }
        return default;
    }

    private static Highlight? ReadAnnotation(JsonElement row, string path, string quote, int? offset, out string? message)
    {
        message = null;
        string? error = null;
        var note = JsonFields.String(row, path, "text", ref error);
        var created = JsonFields.String(row, path, "created", ref error);
        var uri = JsonFields.String(row, path, "uri", ref error);
        var tags = JsonFields.Tags(row, path, ref error);
        var title = DocumentTitle(row);
        if (error is not null)
        {
            message = error;
            return null;
        }
        if (!ImportSupport.TryOptionalTimestamp(created, out var highlightedAt, out var dateError))
        {
            message = $"created: {dateError}";
            return null;
        }
        uri = ImportSupport.NullIfBlank(uri);
        return new Highlight
        {
            Text = quote,
            Note = note,
            Source = new HighlightSource(ImportSupport.NullIfBlank(title) ?? uri ?? HighlightSource.Unknown.Title, null, uri),
            Location = offset is null ? null : new HighlightLocation(Offset: offset),
            Tags = tags,
            HighlightedAt = highlightedAt,
        };
    }

    /// <summary>Hypothesis sends <c>document.title</c> as an array of the titles it found on the page; the first is the page's own.</summary>
    private static string? DocumentTitle(JsonElement row)
    {
        if (!JsonFields.TryGetProperty(row, "document", out var document) || document.ValueKind != JsonValueKind.Object) return null;
        if (!JsonFields.TryGetProperty(document, "title", out var title)) return null;
        return title.ValueKind switch
        {
            JsonValueKind.String => title.GetString(),
            JsonValueKind.Array => title.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)),
            _ => null,
        };
    }
}
