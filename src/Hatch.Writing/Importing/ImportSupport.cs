using System.Globalization;
using System.Text;
using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>Helpers every importer shares, so that rejections read the same whatever the format.</summary>
internal static class ImportSupport
{
    public const char ByteOrderMark = '\uFEFF';

    /// <summary>A prefix long enough to recognise a format; detection must stay cheap on 10,000-highlight files.</summary>
    public static ReadOnlySpan<char> Head(string content, int length = 16 * 1024)
    {
        var span = content.AsSpan().TrimStart(ByteOrderMark).TrimStart();
        return span.Length > length ? span[..length] : span;
    }

    public static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>
    /// Exporters write tag lists as one comma-separated field ("focus, habits"); case-insensitive de-duplication is
    /// left to the facade so that tags merged from several fields are tidied once.
    /// </summary>
    public static IEnumerable<string> SplitTags(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Machine-written timestamps (ISO 8601 and the "2024-04-07 21:41:22" form Readwise and Glasp use).
    /// A value without an offset is taken as UTC so that the same file imports the same on every machine.
    /// </summary>
    public static bool TryParseTimestamp(string value, out DateTimeOffset result) =>
        DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out result);

    /// <summary>Parses an optional timestamp field; a value that is present but not a date is the record's fault.</summary>
    public static bool TryOptionalTimestamp(string? value, out DateTimeOffset? result, out string? error)
    {
        result = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (TryParseTimestamp(value, out var parsed))
        {
            result = parsed;
            return true;
        }
        error = $"date '{Shorten(value)}' is not a date";
        return false;
    }

    /// <summary>Keeps quoted input short in messages: an issue should point at the record, not repeat it.</summary>
    public static string Shorten(string value, int max = 40)
    {
        var oneLine = value.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, max), "…");
    }

    public static IReadOnlyList<string> Lines(string content) =>
        content.TrimStart(ByteOrderMark).Split(["\r\n", "\n", "\r"], StringSplitOptions.None);
}

/// <summary>
/// Parses a whole JSON document for the JSON importers: malformed JSON stops the import with the file, line and
/// position, and record-level issues can be given the line of the JSON path they name.
/// </summary>
internal sealed class JsonInput : IDisposable
{
    private static readonly JsonDocumentOptions Options = new()
    {
        // Exports are machine-written, but people do hand-edit the Hatch format; be forgiving where it costs nothing.
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 256,
    };

    private readonly byte[] _utf8;
    private readonly string _fileName;
    private Dictionary<string, int>? _lines;

    private JsonInput(byte[] utf8, JsonDocument document, string fileName)
    {
        _utf8 = utf8;
        Document = document;
        _fileName = fileName;
    }

    private JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public void Dispose() => Document.Dispose();

    public List<ImportIssue> Issues { get; } = [];

    public static JsonInput Parse(string content, string fileName, string formatName)
    {
        var utf8 = Encoding.UTF8.GetBytes(content.TrimStart(ImportSupport.ByteOrderMark));
        try
        {
            return new JsonInput(utf8, JsonDocument.Parse(utf8, Options), fileName);
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var position = (int)(ex.BytePositionInLine ?? 0) + 1;
            var reason = ex.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) reason = reason[..cut];
            var issue = new ImportIssue(fileName, line, null, $"not valid JSON at line {line}, position {position}: {reason.TrimEnd('.')}");
            throw new ImportException($"{fileName}:{line}:{position}: cannot read this {formatName} file: {issue.Message}", [issue]);
        }
    }

    /// <summary>Records a rejected record at <paramref name="path"/>, with the line it starts on.</summary>
    public void Reject(string path, string message) => Issues.Add(new ImportIssue(_fileName, LineOf(path), path, message));

    /// <summary>The line a JSON path starts on, or of its nearest ancestor that starts a container.</summary>
    public int? LineOf(string path)
    {
        _lines ??= MapContainerLines();
        var probe = path;
        while (true)
        {
            if (_lines.TryGetValue(probe, out var line)) return line;
            var cut = Math.Max(probe.LastIndexOf('.'), probe.LastIndexOf('['));
            if (cut <= 0) return null;
            probe = probe[..cut];
        }
    }

    /// <summary>
    /// JsonDocument keeps no positions, so the lines are found by one pass of Utf8JsonReader, only when an issue
    /// needs one: a clean import of a large file never pays for it.
    /// </summary>
    private Dictionary<string, int> MapContainerLines()
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(_utf8, new JsonReaderOptions
        {
            AllowTrailingCommas = Options.AllowTrailingCommas,
            CommentHandling = Options.CommentHandling,
            MaxDepth = Options.MaxDepth,
        });
        var stack = new Stack<(string Path, int NextIndex, bool IsArray)>();
        string? pendingProperty = null;
        var line = 1;
        long scanned = 0;

        string NextPath()
        {
            if (stack.Count == 0) return "$";
            var (parent, index, isArray) = stack.Pop();
            string path;
            if (isArray)
            {
                path = $"{parent}[{index}]";
                stack.Push((parent, index + 1, true));
            }
            else
            {
                path = JsonPaths.Property(parent, pendingProperty ?? "");
                stack.Push((parent, index, false));
            }
            return path;
        }

        while (reader.Read())
        {
            var start = reader.TokenStartIndex;
            for (; scanned < start; scanned++)
            {
                if (_utf8[scanned] == (byte)'\n') line++;
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingProperty = reader.GetString();
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    var path = NextPath();
                    lines.TryAdd(path, line);
                    stack.Push((path, 0, reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    stack.Pop();
                    break;
                case JsonTokenType.Comment:
                    break;
                default:
                    lines.TryAdd(NextPath(), line);
                    break;
            }
        }
        return lines;
    }
}

internal static class JsonPaths
{
    public static string Property(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0])
            ? $"{parent}.{name}"
            : $"{parent}['{name.Replace("'", "\\'")}']";

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}

/// <summary>Reads loosely typed JSON fields, turning a wrong type into a message rather than an exception.</summary>
internal static class JsonFields
{
    public static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object) return false;
        if (element.TryGetProperty(name, out value)) return true;
        // Exporters disagree on case ("Highlighted At" vs "highlighted_at" is handled by the caller's list of names).
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A string field, or null when absent or JSON null. Numbers and booleans are accepted as their text because
    /// hand-written files put page numbers as numbers; objects and arrays are an error.
    /// </summary>
    public static string? String(JsonElement element, string path, string name, ref string? error, params string[] alternatives)
    {
        foreach (var candidate in alternatives.Prepend(name))
        {
            if (!TryGetProperty(element, candidate, out var value)) continue;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    return value.GetRawText();
                default:
                    error ??= $"{JsonPaths.Property(path, candidate)} should be a string, not {Describe(value.ValueKind)}";
                    return null;
            }
        }
        return null;
    }

    /// <summary>Tags as an array of strings (or objects with a name, as some APIs send), or one comma-separated string.</summary>
    public static IReadOnlyList<string> Tags(JsonElement element, string path, ref string? error, string name = "tags")
    {
        if (!TryGetProperty(element, name, out var value)) return [];
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                return ImportSupport.SplitTags(value.GetString()).ToArray();
            case JsonValueKind.Array:
                var tags = new List<string>();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String) tags.Add(item.GetString()!);
                    else if (item.ValueKind == JsonValueKind.Object && String(item, "", "name", ref error) is { } tagName) tags.Add(tagName);
                    else if (item.ValueKind != JsonValueKind.Null)
                        error ??= $"{JsonPaths.Index(JsonPaths.Property(path, name), index)} should be a tag name, not {Describe(item.ValueKind)}";
                    index++;
                }
                return tags;
            default:
                error ??= $"{JsonPaths.Property(path, name)} should be a list of tags, not {Describe(value.ValueKind)}";
                return [];
        }
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>Reads a CSV export with CsvHelper, reporting malformed records with the line they start on.</summary>
internal static class CsvInput
{
    public sealed record Row(int Line, Func<string, string?> Field);

    /// <summary>
    /// Reads every record after the header; <paramref name="onRow"/> returns a highlight, an error message, or neither
    /// when it has accounted for the record itself (a skipped discard).
    /// Throws <see cref="ImportException"/> when <paramref name="requiredColumn"/> is not in the header,
    /// because then the file is not this format at all.
    /// </summary>
    public static ImportResult Read(string content, string fileName, string format, string formatTitle,
        string requiredColumn, Func<Row, (Highlight? Highlight, string? Error)> onRow)
    {
        var issues = new List<ImportIssue>();
        var highlights = new List<Highlight>();
        var options = CreateOptions(reason => issues.Add(new ImportIssue(fileName, reason.Line, null, reason.Message)));
        using var reader = CsvHelper.CsvReader.FromText(content.TrimStart(ImportSupport.ByteOrderMark), options);
        IReadOnlyList<string> headers;
        try
        {
            headers = reader.Headers;
        }
        catch (CsvHelper.CsvFormatException ex)
        {
            throw new ImportException($"{fileName}:1: cannot read the header of this {formatTitle} file: {ex.Message}");
        }
        if (!reader.TryGetFieldIndex(requiredColumn, out _))
        {
            var found = headers.Count == 0 ? "nothing" : string.Join(", ", headers.Take(12).Select(h => $"'{ImportSupport.Shorten(h, 30)}'"));
            throw new ImportException($"{fileName}:1: not a {formatTitle} file: the header has no '{requiredColumn}' column (found {found})");
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        string? Field(string name)
        {
            if (!columns.TryGetValue(name, out var index))
            {
                index = reader.TryGetFieldIndex(name, out var found) ? found : -1;
                columns[name] = index;
            }
            return index < 0 || index >= reader.FieldCount ? null : ImportSupport.NullIfBlank(reader.GetString(index));
        }

        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var (highlight, error) = onRow(new Row(line, Field));
            if (highlight is not null) highlights.Add(highlight);
            else if (error is not null) issues.Add(new ImportIssue(fileName, line, null, error));
        }
        issues.Sort((a, b) => Nullable.Compare(a.Line, b.Line));
        return new ImportResult(format, highlights, issues);
    }

    /// <summary>Reads just the header, for detection; null when the text is not CSV-shaped.</summary>
    public static IReadOnlyList<string>? Header(string content)
    {
        var head = ImportSupport.Head(content, 4096).ToString();
        var firstBreak = head.IndexOfAny(['\r', '\n']);
        if (firstBreak >= 0) head = head[..firstBreak];
        if (head.Length == 0 || !head.Contains(',')) return null;
        try
        {
            using var reader = CsvHelper.CsvReader.FromText(head, new CsvHelper.CsvReaderOptions { Separator = ',', HasHeader = true });
            return reader.Headers;
        }
        catch (CsvHelper.CsvFormatException)
        {
            return null;
        }
    }

    private static CsvHelper.CsvReaderOptions CreateOptions(Action<(int Line, string Message)> report) => new()
    {
        // Never guess the separator: a Readwise highlight full of semicolons must not flip the dialect.
        Separator = ',',
        HasHeader = true,
        TrackLineNumbers = true,
        // A record with broken quoting is reported and skipped; the records around it still import.
        MalformedData = CsvHelper.CsvMalformedDataHandling.Skip,
        OnMalformedRecord = record => report(((int)record.LineNumber, record.Reason switch
        {
            CsvHelper.CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed, so the rest of the file could not be read",
            CsvHelper.CsvMalformedReason.StrayQuote => "malformed CSV: a quote inside an unquoted field",
            CsvHelper.CsvMalformedReason.TextAfterClosingQuote => "malformed CSV: text after a closing quote",
            var other => $"malformed CSV ({other})",
        })),
    };
}

/// <summary>
/// A highlight object as the JSON exports write it (Glasp's and Hatch's own): text, note, color, a date and tags,
/// read and checked the same way, with the format's own place (its source and location) read by <c>place</c>.
/// A problem comes back as a message naming the field, for the import's rejected list.
/// </summary>
internal static class JsonHighlights
{
    public delegate (HighlightSource Source, HighlightLocation? Location) PlaceReader(JsonElement item, string path, ref string? error);

    public static Highlight? Read(JsonElement item, string path, PlaceReader place, out string? message, string dateField, params string[] dateAliases)
    {
        message = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            message = $"expected a highlight object, found {JsonFields.Describe(item.ValueKind)}";
            return null;
        }
        string? error = null;
        var text = JsonFields.String(item, path, "text", ref error);
        var note = JsonFields.String(item, path, "note", ref error);
        var color = JsonFields.String(item, path, "color", ref error);
        var date = JsonFields.String(item, path, dateField, ref error, dateAliases);
        var tags = JsonFields.Tags(item, path, ref error);
        var (source, location) = place(item, path, ref error);
        if (error is not null)
        {
            message = error;
            return null;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            message = "missing highlight text";
            return null;
        }
        if (!ImportSupport.TryOptionalTimestamp(date, out var highlightedAt, out var dateError))
        {
            message = $"{dateField}: {dateError}";
            return null;
        }
        return new Highlight
        {
            Text = text,
            Note = note,
            Source = source,
            Location = location,
            Tags = tags,
            Color = ImportSupport.NullIfBlank(color),
            HighlightedAt = highlightedAt,
        };
    }
}
