using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads Hypothesis annotations, recognised by their fields (<c>target</c>, <c>uri</c>, <c>user</c>, <c>document</c>)
/// whatever wraps them: the API's search result (<c>{ "total": n, "rows": [...] }</c>), its rows saved as a bare array,
/// or one annotation (<c>/api/annotations/:id</c>). The highlighted passage is the <c>exact</c> of a
/// <c>TextQuoteSelector</c> in <c>target[].selector[]</c>; the annotation's own <c>text</c> is the reader's note.
/// An annotation without a quote is a page note, kept as a note on its document; a reply (<c>references</c>) is part
/// of a conversation, not the reader's highlight, and is skipped and counted.
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
        // An annotation's own fields: above Hatch JSON's score, since a target's "source" and a note's "text" look like a highlight's.
        if (head.Contains("\"target\"", StringComparison.Ordinal) && head.Contains("\"uri\"", StringComparison.Ordinal)
            && (head.Contains("\"user\"", StringComparison.Ordinal) || head.Contains("\"document\"", StringComparison.Ordinal)))
            return 95;
        var score = 0;
        if (head.Contains("\"TextQuoteSelector\"", StringComparison.Ordinal)) score += 60;
        if (head.Contains("\"rows\"", StringComparison.Ordinal)) score += 20;
        if (head.Contains("\"target\"", StringComparison.Ordinal)) score += 15;
        return score >= 60 || (score == 35 && head.Contains("\"uri\"", StringComparison.Ordinal)) ? Math.Max(score, 60) : 0;
    }

    public ImportResult Import(string content, string fileName)
    {
        using var input = JsonInput.Parse(content, fileName, "Hypothesis");
        var rows = Rows(input.Root, fileName);
        var highlights = new List<Highlight>();
        var notes = new List<SourceNote>();
        var skipped = new List<ImportIssue>();
        var pageNotes = 0;
        foreach (var (row, path) in rows)
        {
            var read = ReadRow(row, path);
            switch (read.Kind)
            {
                case HypothesisRowKind.Highlight:
                    highlights.Add(read.Highlight!);
                    break;
                case HypothesisRowKind.PageNote:
                    pageNotes++;
                    if (read.Note is { } note) notes.Add(note);
                    else skipped.Add(new ImportIssue(fileName, input.LineOf(path), path, read.Message!));
                    break;
                case HypothesisRowKind.Reply:
                    skipped.Add(new ImportIssue(fileName, input.LineOf(path), path, read.Message!));
                    break;
                case HypothesisRowKind.Rejected:
                    // A page note that could not be read is still a page note the reader wrote.
                    if (read.IsPageNote) pageNotes++;
                    input.Reject(read.Path ?? path, read.Message!);
                    break;
            }
        }
        return new ImportResult(Format, highlights, input.Issues) { Notes = pageNotes, KeptNotes = notes, Skipped = skipped };
    }

    /// <summary>
    /// One annotation by the rules above, for the file import and the API sync alike: a highlight, a page note (with
    /// its note, or without one when it has no words), a reply to skip, or a row that cannot be read and why.
    /// </summary>
    public static HypothesisRow ReadRow(JsonElement row, string path)
    {
        if (row.ValueKind != JsonValueKind.Object)
            return HypothesisRow.Rejected(path, $"expected an annotation object, found {JsonFields.Describe(row.ValueKind)}");
        if (JsonFields.TryGetProperty(row, "references", out var references) && references.ValueKind == JsonValueKind.Array && references.GetArrayLength() > 0)
            return new HypothesisRow(HypothesisRowKind.Reply, Message: "a reply to another annotation, not a highlight");
        switch (ReadQuote(row, path))
        {
            case { Error: { } error, ErrorPath: var errorPath }:
                return HypothesisRow.Rejected(errorPath ?? path, error);
            case { Quote: null }:
                // A page note: counted as one even when it has no words (only tags), which is then said.
                if (ReadPageNote(row, path, out var message) is { } note) return new HypothesisRow(HypothesisRowKind.PageNote, Note: note);
                if (message is not null) return HypothesisRow.Rejected(path, message) with { IsPageNote = true };
                return new HypothesisRow(HypothesisRowKind.PageNote, Message: "a page note with no text");
            case { Quote: { } quote, Offset: var offset }:
                return ReadAnnotation(row, path, quote, offset, out var problem) is { } highlight
                    ? new HypothesisRow(HypothesisRowKind.Highlight, Highlight: highlight)
                    : HypothesisRow.Rejected(path, problem!);
        }
    }

    private static IEnumerable<(JsonElement Row, string Path)> Rows(JsonElement root, string fileName)
    {
        if (root.ValueKind == JsonValueKind.Array) return root.EnumerateArray().Select((r, i) => (r, JsonPaths.Index("$", i)));
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array)
                return rows.EnumerateArray().Select((r, i) => (r, JsonPaths.Index("$.rows", i)));
            if (JsonFields.TryGetProperty(root, "target", out _) || JsonFields.TryGetProperty(root, "uri", out _))
                return [(root, "$")];
        }
        throw new ImportException($"{fileName}: not a Hypothesis export: expected annotations (a \"rows\" array, an array of annotations, or one annotation with \"target\" and \"uri\")",
            [new ImportIssue(fileName, 1, "$", "expected Hypothesis annotations")]);
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

    /// <summary>A page note: the annotation's text on its document; null with no message when it has no text at all.</summary>
    private static SourceNote? ReadPageNote(JsonElement row, string path, out string? message)
    {
        message = null;
        string? error = null;
        var text = JsonFields.String(row, path, "text", ref error);
        var created = JsonFields.String(row, path, "created", ref error);
        var uri = ImportSupport.NullIfBlank(JsonFields.String(row, path, "uri", ref error));
        if (error is not null)
        {
            message = error;
            return null;
        }
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!ImportSupport.TryOptionalTimestamp(created, out var writtenAt, out var dateError))
        {
            message = $"created: {dateError}";
            return null;
        }
        var title = DocumentTitle(row);
        return new SourceNote(new HighlightSource(ImportSupport.NullIfBlank(title) ?? uri ?? HighlightSource.Unknown.Title, null, uri), text.Trim(), null, writtenAt);
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

public enum HypothesisRowKind { Highlight, PageNote, Reply, Rejected }

/// <summary>What one Hypothesis annotation is to Hatch (see <see cref="HypothesisImporter.ReadRow"/>).</summary>
public sealed record HypothesisRow(HypothesisRowKind Kind, Highlight? Highlight = null, SourceNote? Note = null, string? Message = null, string? Path = null)
{
    /// <summary>A rejected row that was a page note (counted as a note even though it could not be read).</summary>
    public bool IsPageNote { get; init; }

    public static HypothesisRow Rejected(string path, string message) => new(HypothesisRowKind.Rejected, Message: message, Path: path);
}
