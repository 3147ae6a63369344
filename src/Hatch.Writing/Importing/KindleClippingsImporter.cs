using System.Globalization;
using System.Text.RegularExpressions;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads a Kindle's <c>My Clippings.txt</c>: records separated by <c>==========</c>, each a title line
/// ("Title (Author)"), a header line ("- Your Highlight on page 12 | Location 123-125 | Added on …") and the text.
/// Notes are attached to the highlight they were made on, bookmarks are skipped, and a passage highlighted
/// again (the Kindle appends a new record rather than editing the old one) is kept once.
/// </summary>
public sealed partial class KindleClippingsImporter : IHighlightImporter
{
    private const string RecordSeparator = "==========";

    /// <summary>Tag given to a note that was written without a highlight, so it stays recognisable as the reader's words.</summary>
    public const string StandaloneNoteTag = "kindle-note";

    // The weekday is dropped before parsing: devices have been seen writing a weekday that does not match the
    // date, and a wrong weekday is no reason to lose the timestamp.
    private static readonly string[] DateFormats =
    [
        "d MMMM yyyy HH:mm:ss", "d MMMM yyyy H:mm:ss", "d MMMM yyyy, HH:mm:ss", "d MMMM yyyy HH:mm", "d MMMM yyyy, HH:mm",
        "MMMM d, yyyy h:mm:ss tt", "MMMM d, yyyy, h:mm:ss tt", "MMMM d, yyyy h:mm tt", "MMMM d, yyyy, h:mm tt",
        "MMMM d, yyyy HH:mm:ss", "MMMM d yyyy h:mm:ss tt",
    ];

    public string Format => "kindle";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        var hasSeparator = false;
        var hasHeader = false;
        foreach (var line in head.EnumerateLines())
        {
            var trimmed = line.Trim();
            if (trimmed.SequenceEqual(RecordSeparator)) hasSeparator = true;
            // "- Note: …" is also a Markdown bullet; a real header has the " | " fields or the "Added on" date.
            else if (trimmed.StartsWith("- ") && (trimmed.Contains(" | ", StringComparison.Ordinal) || trimmed.Contains("Added on", StringComparison.OrdinalIgnoreCase))
                && HeaderPattern().IsMatch(trimmed.ToString())) hasHeader = true;
            if (hasSeparator && hasHeader) return 100;
        }
        return hasSeparator ? 20 : hasHeader ? 10 : 0;
    }

    public ImportResult Import(string content, string fileName)
    {
        var issues = new List<ImportIssue>();
        var clippings = new List<Clipping>();
        var lines = ImportSupport.Lines(content);
        var record = new List<(int Line, string Text)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var atEnd = i == lines.Count;
            if (atEnd || lines[i].Trim().Trim(ImportSupport.ByteOrderMark) == RecordSeparator)
            {
                if (ReadRecord(record, fileName, issues) is { } clipping) clippings.Add(clipping);
                record.Clear();
                continue;
            }
            record.Add((i + 1, lines[i]));
        }
        return new ImportResult(Format, Assemble(clippings), issues);
    }

    private static Clipping? ReadRecord(List<(int Line, string Text)> record, string fileName, List<ImportIssue> issues)
    {
        var first = record.FindIndex(l => !string.IsNullOrWhiteSpace(Clean(l.Text)));
        if (first < 0) return null;
        var recordLine = record[first].Line;
        var titleLine = Clean(record[first].Text);
        if (first + 1 >= record.Count)
        {
            issues.Add(new ImportIssue(fileName, recordLine, null, $"clipping '{ImportSupport.Shorten(titleLine)}' has no header line (\"- Your Highlight on …\")"));
            return null;
        }
        var headerText = Clean(record[first + 1].Text);
        var header = HeaderPattern().Match(headerText);
        if (!header.Success)
        {
            issues.Add(new ImportIssue(fileName, record[first + 1].Line, null, $"not a Kindle clipping header: '{ImportSupport.Shorten(headerText)}'"));
            return null;
        }

        var kind = header.Groups["kind"].Value.ToLowerInvariant() switch
        {
            "note" => ClippingKind.Note,
            "bookmark" => ClippingKind.Bookmark,
            _ => ClippingKind.Highlight,
        };
        if (kind == ClippingKind.Bookmark) return null;

        var rest = header.Groups["rest"].Value;
        var page = PagePattern().Match(rest) is { Success: true } p ? p.Groups["page"].Value : null;
        var locationMatch = LocationPattern().Match(rest);
        string? location = null;
        int? start = null, end = null;
        if (locationMatch.Success)
        {
            location = locationMatch.Groups["start"].Value + (locationMatch.Groups["end"].Success ? "-" + locationMatch.Groups["end"].Value : "");
            (start, end) = ParseRange(locationMatch.Groups["start"].Value, locationMatch.Groups["end"].Success ? locationMatch.Groups["end"].Value : null);
        }
        var date = AddedPattern().Match(rest) is { Success: true } d ? ParseDate(d.Groups["date"].Value) : null;

        var textLines = record.Skip(first + 2).Select(l => l.Text.TrimEnd()).ToList();
        while (textLines.Count > 0 && textLines[0].Length == 0) textLines.RemoveAt(0);
        while (textLines.Count > 0 && textLines[^1].Length == 0) textLines.RemoveAt(textLines.Count - 1);
        var text = string.Join("\n", textLines).Trim();
        if (text.Length == 0)
        {
            var what = kind == ClippingKind.Note ? "note has no text" : "missing highlight text";
            issues.Add(new ImportIssue(fileName, recordLine, null, $"{what} ('{ImportSupport.Shorten(titleLine)}', {(location is null ? page is null ? "no location" : $"page {page}" : $"location {location}")})"));
            return null;
        }

        var (title, author) = ParseTitleLine(titleLine);
        return new Clipping(kind, title, author, page, location, start, end, date, text);
    }

    /// <summary>Kindle writes a byte order mark at the start of every record's title, not just the file's.</summary>
    private static string Clean(string line) => line.Replace(ImportSupport.ByteOrderMark.ToString(), "").Trim();

    /// <summary>
    /// Merges re-highlights, attaches notes and turns what is left into highlights, in the order they first appear.
    /// </summary>
    private static List<Highlight> Assemble(List<Clipping> clippings)
    {
        var books = new Dictionary<(string, string?), BookIndex>();
        var entries = new List<Entry>();
        foreach (var clipping in clippings.Where(c => c.Kind == ClippingKind.Highlight))
        {
            var book = GetBook(books, clipping);
            var duplicate = book.FindDuplicate(clipping);
            if (duplicate is null)
            {
                var entry = new Entry(clipping);
                book.Add(entry);
                entries.Add(entry);
                continue;
            }
            // Keep the longer text; on a tie the later record, which is what the reader last chose.
            if (clipping.Text.Length >= duplicate.Clipping.Text.Length)
            {
                duplicate.Clipping = clipping;
                book.Add(duplicate);
            }
        }

        foreach (var note in clippings.Where(c => c.Kind == ClippingKind.Note))
        {
            if (GetBook(books, note).FindNoteTarget(note) is { } target)
            {
                target.Notes.Add(note.Text);
                continue;
            }
            // A note made without selecting text is still the reader's own thinking; keep it rather than lose it,
            // tagged so that nobody mistakes it for the book's words.
            entries.Add(new Entry(note));
        }

        return entries.Select(e => new Highlight
        {
            Text = e.Clipping.Text,
            Note = e.Notes.Count == 0 ? null : string.Join("\n\n", e.Notes.Distinct(StringComparer.Ordinal)),
            Source = new HighlightSource(e.Clipping.Title, e.Clipping.Author),
            Location = new HighlightLocation(e.Clipping.Page, e.Clipping.Location) is { IsEmpty: false } l ? l : null,
            Tags = e.Clipping.Kind == ClippingKind.Note ? [StandaloneNoteTag] : [],
            HighlightedAt = e.Clipping.Date,
        }).ToList();
    }

    private static BookIndex GetBook(Dictionary<(string, string?), BookIndex> books, Clipping clipping)
    {
        var key = (clipping.Title, clipping.Author);
        if (!books.TryGetValue(key, out var book)) books[key] = book = new BookIndex();
        return book;
    }

    private static bool IsSamePassage(Clipping a, Clipping b)
    {
        if (string.Equals(a.Text, b.Text, StringComparison.Ordinal)) return true;
        if (!Overlaps(a, b)) return false;
        return a.Text.Contains(b.Text, StringComparison.Ordinal) || b.Text.Contains(a.Text, StringComparison.Ordinal);
    }

    private static bool Overlaps(Clipping a, Clipping b)
    {
        if (a.Start is { } aStart && b.Start is { } bStart) return aStart <= b.End && bStart <= a.End;
        return a.Page is not null && a.Page == b.Page;
    }

    /// <summary>A note's location is a single point, usually the last location of the passage it comments on.</summary>
    private static bool NoteBelongsTo(Clipping note, Clipping highlight)
    {
        if (note.Start is { } at && highlight.Start is { } start) return start <= at && at <= highlight.End;
        return note.Page is not null && note.Page == highlight.Page;
    }

    /// <summary>Older Kindles abbreviate the end of a range ("1104-06" means 1104 to 1106).</summary>
    private static (int? Start, int? End) ParseRange(string startText, string? endText)
    {
        if (!int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return (null, null);
        if (endText is null || !int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var end)) return (start, start);
        if (end < start && endText.Length < startText.Length)
        {
            var prefix = startText[..(startText.Length - endText.Length)];
            end = int.TryParse(prefix + endText, NumberStyles.None, CultureInfo.InvariantCulture, out var expanded) ? expanded : start;
        }
        return (start, Math.Max(start, end));
    }

    /// <summary>
    /// The English forms Kindles write (en-US "April 7, 2024 9:41:22 PM", en-GB "3 March 2024 14:05:01").
    /// The device's time zone is not in the file, so the wall-clock time is kept as if it were UTC. An unreadable
    /// date loses only the date, never the highlight.
    /// </summary>
    internal static DateTimeOffset? ParseDate(string value)
    {
        var text = WeekdayPattern().Replace(value.Trim(), "");
        return DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>"Title (Author)": the author is in the last balanced parentheses, so "Title (Series) (Author)" keeps its series.</summary>
    internal static (string Title, string? Author) ParseTitleLine(string line)
    {
        line = line.Trim();
        if (!line.EndsWith(')')) return (line.Length == 0 ? HighlightSource.Unknown.Title : line, null);
        var depth = 0;
        var open = -1;
        for (var i = line.Length - 1; i >= 0; i--)
        {
            if (line[i] == ')') depth++;
            else if (line[i] == '(' && --depth == 0)
            {
                open = i;
                break;
            }
        }
        if (open <= 0) return (line, null);
        var title = line[..open].Trim();
        var author = line[(open + 1)..^1].Trim();
        if (title.Length == 0) return (line, null);
        return (title, author.Length == 0 ? null : NormalizeAuthors(author));
    }

    /// <summary>Calibre-managed Kindles write "Last, First"; multiple authors are separated by semicolons.</summary>
    private static string NormalizeAuthors(string authors) =>
        string.Join("; ", authors.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(author =>
        {
            var parts = author.Split(',', StringSplitOptions.TrimEntries);
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? $"{parts[1]} {parts[0]}" : author;
        }));

    [GeneratedRegex(@"^-\s*(?:Your\s+)?(?<kind>Highlight|Note|Bookmark|Clipping)\b(?<rest>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"\bpage\s+(?<page>[^\s|]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PagePattern();

    [GeneratedRegex(@"\b(?:location|loc\.)\s*(?<start>\d+)(?:\s*-\s*(?<end>\d+))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LocationPattern();

    [GeneratedRegex(@"\bAdded on\s+(?<date>.+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddedPattern();

    [GeneratedRegex(@"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WeekdayPattern();

    private enum ClippingKind { Highlight, Note, Bookmark }

    private sealed record Clipping(ClippingKind Kind, string Title, string? Author, string? Page, string? Location, int? Start, int? End, DateTimeOffset? Date, string Text);

    /// <summary>
    /// One book's highlights, found by text and by location bucket, so that a clippings file with thousands of
    /// highlights in one book is not compared pairwise.
    /// </summary>
    private sealed class BookIndex
    {
        private const int BucketSize = 64;
        private readonly Dictionary<string, Entry> _byText = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Entry>> _byPlace = new(StringComparer.Ordinal);

        /// <summary>Registers the entry under its current text and place; an entry may be added again after it grows.</summary>
        public void Add(Entry entry)
        {
            _byText.TryAdd(entry.Clipping.Text, entry);
            foreach (var key in Places(entry.Clipping))
            {
                if (!_byPlace.TryGetValue(key, out var list)) _byPlace[key] = list = [];
                if (list.Count == 0 || list[^1] != entry) list.Add(entry);
            }
        }

        public Entry? FindDuplicate(Clipping clipping)
        {
            if (_byText.TryGetValue(clipping.Text, out var same)) return same;
            return Candidates(clipping).LastOrDefault(e => IsSamePassage(e.Clipping, clipping));
        }

        public Entry? FindNoteTarget(Clipping note) => Candidates(note).LastOrDefault(e => NoteBelongsTo(note, e.Clipping));

        private IEnumerable<Entry> Candidates(Clipping clipping) =>
            Places(clipping).SelectMany(key => _byPlace.TryGetValue(key, out var list) ? list : []).Distinct();

        /// <summary>Location buckets the range touches (capped, for a corrupt range), or the page when there is no location.</summary>
        private static IEnumerable<string> Places(Clipping clipping)
        {
            if (clipping.Start is { } start && clipping.End is { } end)
            {
                var last = Math.Min(end / BucketSize, start / BucketSize + 16);
                for (var bucket = start / BucketSize; bucket <= last; bucket++) yield return $"L{bucket}";
            }
            else if (clipping.Page is not null)
            {
                yield return "P" + clipping.Page;
            }
        }
    }

    private sealed class Entry(Clipping clipping)
    {
        public Clipping Clipping { get; set; } = clipping;
        public List<string> Notes { get; } = [];
    }
}
