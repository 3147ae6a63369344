using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads a Kindle's <c>My Clippings.txt</c> in any language its firmware writes: records separated by
/// <c>==========</c>, each a title line ("Title (Author)" or "Title - Author"), a metadata line starting with a dash
/// (read by <see cref="KindleMetadata"/>), a blank line and the text. Notes are attached to the highlight they were
/// made on or kept on their book, bookmarks and clipped articles are counted and skipped, a passage highlighted again
/// (the Kindle appends a new record rather than editing the old one) is kept once, and a passage the device cut at its
/// clipping limit is kept and flagged.
/// </summary>
public sealed partial class KindleClippingsImporter : IHighlightImporter
{
    private const string RecordSeparator = "==========";

    public string Format => "kindle";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        var hasSeparator = false;
        var hasHeader = false;
        // The clipping's shape, not its words (which depend on the device's language): a title line right after a
        // separator (or at the top), then a dash line with " | " fields or a clock time. A Markdown bullet under a
        // setext heading has no title line between the "==========" and itself.
        var lineIndex = 0; // of non-blank lines
        var previous = "";
        var beforePrevious = "";
        foreach (var line in head.EnumerateLines())
        {
            var trimmed = line.Trim().Trim(ImportSupport.ByteOrderMark);
            // Blank lines are skipped: 2011 firmware's "\r\r\n" reads as a blank line after every line.
            if (trimmed.IsEmpty) continue;
            if (trimmed.SequenceEqual(RecordSeparator)) hasSeparator = true;
            else if (trimmed.Length > 2 && trimmed[0] is '-' or '–' && (trimmed.Contains('|') || TimeOfDay().IsMatch(trimmed))
                     && previous.Length > 0 && (beforePrevious == RecordSeparator || lineIndex == 1))
                hasHeader = true;
            if (hasSeparator && hasHeader) return 100;
            (beforePrevious, previous) = (previous, trimmed.ToString());
            lineIndex++;
        }
        // A separator alone is weaker evidence than a Markdown list: "==========" also underlines a setext heading.
        return hasHeader ? 10 : hasSeparator ? 5 : 0;
    }

    public ImportResult Import(string content, string fileName)
    {
        // Some 2011 firmware wrote "\r\r\n": one line break, not a line break and a blank line.
        if (content.Contains("\r\r\n", StringComparison.Ordinal)) content = content.Replace("\r\r\n", "\n", StringComparison.Ordinal);
        var tally = new Tally(fileName);
        var lines = ImportSupport.Lines(content);
        var records = new List<List<(int Line, string Text)>>();
        var record = new List<(int Line, string Text)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var atEnd = i == lines.Count;
            var text = atEnd ? "" : Clean(lines[i]);
            if (atEnd || text == RecordSeparator)
            {
                if (record.Count > 0) records.Add(record);
                record = [];
                continue;
            }
            record.Add((i + 1, text));
        }

        // Reading the metadata lines is most of an import's work, and each is independent of the others: on a large
        // file it runs on every core. What depends on order (counts, titles, merging) stays sequential below.
        var headers = new KindleHeader?[records.Count];
        if (records.Count >= ParallelFrom)
            Parallel.ForEach(Partitioner.Create(0, records.Count, 2_048), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++) headers[i] = ParseHeader(records[i]);
            });

        var clippings = new List<Clipping>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            if (ReadRecord(records[i], headers[i], tally) is { } clipping) clippings.Add(clipping);
        }
        var (highlights, notes, merged) = Assemble(clippings);
        return new ImportResult(Format, highlights, tally.Rejected, merged)
        {
            Notes = tally.Notes,
            KeptNotes = notes,
            Bookmarks = tally.Bookmarks,
            TruncatedByDevice = clippings.Count(c => c.Truncated),
            Skipped = tally.Skipped,
            Warnings = tally.Warnings,
        };
    }

    private sealed class Tally(string fileName)
    {
        public List<ImportIssue> Rejected { get; } = [];
        public List<ImportIssue> Skipped { get; } = [];
        public List<ImportIssue> Warnings { get; } = [];
        public int Bookmarks { get; set; }

        /// <summary>Every note record, an empty one (rejected) included, so the count is the file's.</summary>
        public int Notes { get; set; }

        public void Reject(int line, string message) => Rejected.Add(new ImportIssue(fileName, line, null, message));
        public void Skip(int line, string message) => Skipped.Add(new ImportIssue(fileName, line, null, message));
        public void Warn(int line, string message) => Warnings.Add(new ImportIssue(fileName, line, null, message));

        /// <summary>Title lines repeat once per clipping of a book; each is split into title and author once.</summary>
        public Dictionary<string, (string Title, string? Author)> Titles { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Files smaller than this are read on one thread: starting the others would cost more than it saves.</summary>
    private const int ParallelFrom = 4_096;

    /// <summary>The record's metadata line read, or null when the record has none where it should be (reported later).</summary>
    private static KindleHeader? ParseHeader(List<(int Line, string Text)> record)
    {
        var first = record.FindIndex(l => l.Text.Length > 0);
        var headerIndex = first < 0 ? -1 : record.FindIndex(first + 1, l => l.Text.Length > 0);
        return headerIndex >= 0 && KindleMetadata.IsMetadataLine(record[headerIndex].Text) ? KindleMetadata.Parse(record[headerIndex].Text) : null;
    }

    private static Clipping? ReadRecord(List<(int Line, string Text)> record, KindleHeader? parsed, Tally tally)
    {
        var first = record.FindIndex(l => l.Text.Length > 0);
        if (first < 0) return null; // nothing between two separators, as at the top of some files
        var (recordLine, titleLine) = record[first];
        var headerIndex = record.FindIndex(first + 1, l => l.Text.Length > 0);
        if (headerIndex < 0)
        {
            tally.Reject(recordLine, $"clipping '{ImportSupport.Shorten(titleLine)}' has no metadata line (\"- Your Highlight on …\") after its title");
            return null;
        }
        var (headerLine, headerText) = record[headerIndex];
        if (!KindleMetadata.IsMetadataLine(headerText))
        {
            tally.Reject(headerLine, $"expected the metadata line starting with '-' after the title '{ImportSupport.Shorten(titleLine)}', found '{ImportSupport.Shorten(headerText)}'");
            return null;
        }

        var header = parsed ?? KindleMetadata.Parse(headerText);
        foreach (var unread in header.Unread)
            tally.Warn(headerLine, $"metadata '{ImportSupport.Shorten(headerText, 60)}': could not read {unread}");
        if (!tally.Titles.TryGetValue(titleLine, out var byline)) tally.Titles[titleLine] = byline = ParseTitleLine(titleLine);
        var (title, author) = byline;
        var where = header.Location is not null ? $"location {header.Location}" : header.Page is not null ? $"page {header.Page}" : "no location";
        switch (header.Kind)
        {
            case ClippingKind.Bookmark:
                tally.Bookmarks++;
                return null;
            case ClippingKind.Article:
                tally.Skip(recordLine, $"a clipped article ('{ImportSupport.Shorten(title)}', {where}), not a highlight");
                return null;
        }

        if (header.Kind == ClippingKind.Note) tally.Notes++;
        var textLines = record.Skip(headerIndex + 1).Select(l => l.Text).ToList();
        while (textLines.Count > 0 && textLines[0].Length == 0) textLines.RemoveAt(0);
        while (textLines.Count > 0 && textLines[^1].Length == 0) textLines.RemoveAt(textLines.Count - 1);
        var text = string.Join("\n", textLines).Trim();
        var truncated = false;
        if (text.EndsWith('>') && ClippingLimitMessage().Match(text) is { Success: true } limit && IsClippingLimit(limit.Groups["message"].Value))
        {
            truncated = true;
            // Nothing but the message: the passage exists but the device kept none of it; its message is all there is to show.
            var kept = text[..limit.Index].Trim();
            text = kept.Length > 0 ? kept : text.Trim();
        }
        if (text.Length == 0)
        {
            var what = header.Kind == ClippingKind.Note ? "note has no text" : "missing highlight text";
            tally.Reject(recordLine, $"{what} ('{ImportSupport.Shorten(title)}', {where})");
            return null;
        }
        return new Clipping(header.Kind == ClippingKind.Note ? ClippingKind.Note : ClippingKind.Highlight, title, author,
            header.Page, header.Location, header.Start, header.End, header.Date, header.DateIsLocal, text, truncated);
    }

    /// <summary>
    /// Kindle writes a byte order mark at the start of every record's title, not just the file's (and some files have
    /// them mid-line after an edit); they are never part of the text.
    /// </summary>
    private static string Clean(string line) =>
        (line.Contains(ImportSupport.ByteOrderMark) ? line.Replace(ImportSupport.ByteOrderMark.ToString(), "") : line).Trim();

    /// <summary>The message a Kindle puts in place of text past the publisher's clipping limit, in any language.</summary>
    private static bool IsClippingLimit(string message)
    {
        var lower = message.ToLowerInvariant();
        return ClippingLimitWords.Any(w => lower.Contains(w, StringComparison.Ordinal));
    }

    private static readonly string[] ClippingLimitWords =
        ["clipping limit", "limit", "上限", "grenze", "límite", "limite", "limiet", "лимит", "предел", "限制", "限額"];

    /// <summary>
    /// Merges re-highlights, attaches notes, and returns the highlights in the order they first appear, the notes that
    /// annotate none of them, and how many records were merged into another.
    /// </summary>
    private static (List<Highlight> Highlights, List<SourceNote> Notes, int Merged) Assemble(List<Clipping> clippings)
    {
        var books = new Dictionary<(string, string?), BookIndex>();
        var entries = new List<Entry>();
        var merged = 0;
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
            merged++;
            // Keep the longer text; on a tie the later record, which is what the reader last chose.
            if (clipping.Text.Length >= duplicate.Clipping.Text.Length)
            {
                duplicate.Clipping = clipping;
                book.Add(duplicate);
            }
        }

        var kept = new List<SourceNote>();
        foreach (var note in clippings.Where(c => c.Kind == ClippingKind.Note))
        {
            if (GetBook(books, note).FindNoteTarget(note) is { } target)
            {
                target.Notes.Add(note.Text);
                continue;
            }
            // A note made without selecting text is the reader's own thinking about the book, not a passage of it.
            kept.Add(new SourceNote(new HighlightSource(note.Title, note.Author), note.Text, LocationOf(note), note.Date) { WrittenAtIsLocal = note.DateIsLocal });
        }

        var highlights = entries.Select(e => new Highlight
        {
            Text = e.Clipping.Text,
            Note = e.Notes.Count == 0 ? null : string.Join("\n\n", e.Notes.Distinct(StringComparer.Ordinal)),
            Source = new HighlightSource(e.Clipping.Title, e.Clipping.Author),
            Location = LocationOf(e.Clipping),
            HighlightedAt = e.Clipping.Date,
            HighlightedAtIsLocal = e.Clipping.DateIsLocal,
            TruncatedByDevice = e.Clipping.Truncated,
        }).ToList();
        return (highlights, kept, merged);
    }

    private static HighlightLocation? LocationOf(Clipping clipping) =>
        new HighlightLocation(clipping.Page, clipping.Location) is { IsEmpty: false } l ? l : null;

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

    /// <summary>
    /// The English forms Kindles write (en-US "April 7, 2024 9:41:22 PM", en-GB "3 March 2024 14:05:01") and every
    /// other language <see cref="KindleMetadata"/> knows. An unreadable date loses only the date, never the highlight.
    /// </summary>
    internal static DateTimeOffset? ParseDate(string value) => KindleMetadata.ParseDate(value, out _);

    /// <summary>
    /// "Title (Author)": the author is in the last balanced parentheses, so "Title (Series) (Author)" keeps its series.
    /// Without parentheses, "Title - Author" as side-loaded books are often named; otherwise the line is all title.
    /// </summary>
    internal static (string Title, string? Author) ParseTitleLine(string line)
    {
        line = line.Trim();
        if (line.Length == 0) return (HighlightSource.Unknown.Title, null);
        if (!line.EndsWith(')'))
        {
            var dash = line.LastIndexOf(" - ", StringComparison.Ordinal);
            if (dash > 0 && line[(dash + 3)..].Trim() is { Length: > 0 } byline && line[..dash].Trim() is { Length: > 0 } before && !before.EndsWith('-'))
                return (before, NormalizeAuthors(byline));
            return (line, null);
        }
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
        // A name never starts with a digit: "(4 April 2014, a retreat)" or "(2nd Edition)" is part of the title.
        if (title.Length == 0 || (author.Length > 0 && char.IsDigit(author[0]))) return (line, null);
        return (title, author.Length == 0 ? null : NormalizeAuthors(author));
    }

    /// <summary>Calibre-managed Kindles write "Last, First"; multiple authors are separated by semicolons.</summary>
    private static string NormalizeAuthors(string authors) =>
        string.Join("; ", authors.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(author =>
        {
            var parts = author.Split(',', StringSplitOptions.TrimEntries);
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? $"{parts[1]} {parts[0]}" : author;
        }));

    [GeneratedRegex(@"(?<!\d)\d{1,2}:\d{2}(?!\d)")]
    private static partial Regex TimeOfDay();

    [GeneratedRegex(@"\s*<(?<message>[^<>\n]{8,200})>\s*$")]
    private static partial Regex ClippingLimitMessage();

    private sealed record Clipping(
        ClippingKind Kind, string Title, string? Author, string? Page, string? Location, int? Start, int? End,
        DateTimeOffset? Date, bool DateIsLocal, string Text, bool Truncated);

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
