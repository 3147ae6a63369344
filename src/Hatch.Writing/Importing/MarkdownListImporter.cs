using System.Text.RegularExpressions;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Reads highlights kept as Markdown: <c># Source title</c> (or <c>## </c>) headings, each followed by optional
/// metadata lines (<c>Author: …</c>, <c>URL: …</c>, <c>Tags: …</c>) and then highlights as <c>&gt; quote</c> blocks or
/// <c>- </c> bullets. A <c>Note: …</c> line or an indented sub-bullet after a highlight is the reader's note.
/// This also reads Readwise's Markdown export (<c>### Metadata</c> bullets, <c>([Location 123](…))</c> suffixes).
/// </summary>
public sealed partial class MarkdownListImporter : IHighlightImporter
{
    public string Format => "markdown";

    public int Detect(string content)
    {
        var head = ImportSupport.Head(content);
        int headings = 0, items = 0;
        foreach (var line in head.EnumerateLines())
        {
            if (line.StartsWith("# ") || line.StartsWith("## ")) headings++;
            else if (line.StartsWith("> ") || line.StartsWith("- ") || line.StartsWith("* ")) items++;
        }
        if (items == 0 || DocumentReason(content) is not null) return 0;
        // Loose by nature, so it stays below every format with a signature of its own.
        return headings > 0 ? 50 : 10;
    }

    /// <summary>
    /// Why the content reads as a Markdown document (a README, an essay, notes) rather than a list of highlights,
    /// or null. Highlight lists are nearly all headings, quotes, bullets and their metadata; a document is mostly
    /// paragraphs, tables and code. Any Markdown with quotes or bullets would otherwise pass as highlights: the
    /// project's own README gave nine. Choosing the format explicitly reads such a file anyway.
    /// </summary>
    public static string? DocumentReason(string content)
    {
        var head = ImportSupport.Head(content);
        if (ReadwiseSectionPattern().IsMatch(head)) return null; // Readwise's Markdown export
        int structured = 0, paragraphs = 0, code = 0, total = 0;
        bool inFence = false, inItem = false, inFrontMatter = false, first = true;
        foreach (var raw in head.EnumerateLines())
        {
            var line = raw.TrimEnd();
            if (first && line is "---") { inFrontMatter = true; first = false; continue; }
            first = false;
            if (inFrontMatter)
            {
                if (line is "---" or "...") inFrontMatter = false;
                continue;
            }
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart().StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                code++;
                total++;
                continue;
            }
            if (line.Length == 0)
            {
                inItem = false;
                continue;
            }
            total++;
            if (inFence) { code++; continue; }
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#') || trimmed.StartsWith('>') || ItemPattern().IsMatch(trimmed))
            {
                structured++;
                inItem = !trimmed.StartsWith('#');
            }
            else if (MetadataPattern().IsMatch(trimmed) || inItem)
            {
                // "Author: …" under a source, or a quote's or bullet's wrapped line.
                structured++;
            }
            else
            {
                paragraphs++;
            }
        }
        var other = paragraphs + code;
        if (other < 5 || other * 10 < total * 4) return null;
        return $"this reads as a Markdown document, not a list of highlights: {other} of its {total} lines are paragraphs, " +
               "tables or code, where a highlights file has quotes (>) or bullets (-) under # source headings";
    }

    [GeneratedRegex(@"^#{2,3} (Metadata|Highlights)\s*$", RegexOptions.Multiline)]
    private static partial Regex ReadwiseSectionPattern();

    [GeneratedRegex(@"^([-*+]|\d{1,3}[.)])\s")]
    private static partial Regex ItemPattern();


    public ImportResult Import(string content, string fileName)
    {
        var parser = new Parser(fileName);
        var lines = ImportSupport.Lines(content);
        for (var i = 0; i < lines.Count; i++) parser.Line(i + 1, lines[i]);
        return new ImportResult(Format, parser.Finish(), parser.Issues);
    }

    /// <summary>One pass over the lines; state is the current source and the highlight being built.</summary>
    private sealed class Parser(string fileName)
    {
        private readonly List<Highlight> _highlights = [];
        private string _title = HighlightSource.Unknown.Title;
        private string? _author, _url;
        private List<string> _sourceTags = [];
        private bool _sourceHasHighlights;
        private bool _inFence;
        private Pending? _pending;      // a highlight still taking lines
        private Pending? _last;         // the highlight a following "Note:" line belongs to

        public List<ImportIssue> Issues { get; } = [];

        public void Line(int number, string raw)
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                _inFence = !_inFence;
                Flush();
                return;
            }
            if (_inFence) return;

            if (HeadingPattern().Match(line) is { Success: true } heading)
            {
                Flush();
                _last = null;
                var text = heading.Groups["text"].Value.Trim().TrimEnd('#').Trim();
                if (heading.Groups["level"].Value.Length <= 2 && text.Length > 0 && !IsSectionHeading(text)) StartSource(text);
                return;
            }

            if (line.StartsWith('>'))
            {
                var quoted = line.Length > 1 && line[1] == ' ' ? line[2..] : line[1..];
                if (_pending is { IsQuote: true })
                {
                    _pending.AppendLine(quoted);
                    return;
                }
                Flush();
                _pending = new Pending(number, quoted, isQuote: true);
                return;
            }

            if (line.Trim().Length == 0 || ThematicBreakPattern().IsMatch(line))
            {
                Flush();
                return;
            }

            var indent = line.Length - line.TrimStart().Length;
            if (BulletPattern().Match(line) is { Success: true } bullet)
            {
                var item = bullet.Groups["text"].Value.Trim();
                if (indent >= 2 && (_pending ?? _last) is { } parent)
                {
                    SubItem(parent, item);
                    return;
                }
                if (MetadataPattern().Match(item) is { Success: true } noteBullet && IsNote(noteBullet) && (_pending ?? _last) is { } noted)
                {
                    Flush();
                    AddNote(noted, noteBullet.Groups["value"].Value);
                    return;
                }
                Flush();
                if (!_sourceHasHighlights && TryMetadata(item)) return;
                _pending = new Pending(number, item, isQuote: false);
                return;
            }

            if (MetadataPattern().Match(line.Trim()) is { Success: true } meta && IsNote(meta))
            {
                var target = _pending ?? _last;
                Flush();
                if (target is null) Issues.Add(new ImportIssue(fileName, number, null, "a note with no highlight before it"));
                else AddNote(target, meta.Groups["value"].Value);
                return;
            }

            if (indent >= 2 && _pending is { IsQuote: false })
            {
                _pending.AppendWrapped(line.Trim());
                return;
            }

            Flush();
            if (!_sourceHasHighlights) TryMetadata(line.Trim());
            // Any other paragraph is the reader's prose around the highlights, not a highlight.
        }

        public List<Highlight> Finish()
        {
            Flush();
            return _highlights;
        }

        private void StartSource(string title)
        {
            _title = title;
            _author = null;
            _url = null;
            _sourceTags = [];
            _sourceHasHighlights = false;
        }

        private bool TryMetadata(string text)
        {
            if (MetadataPattern().Match(text) is not { Success: true } meta) return false;
            var value = meta.Groups["value"].Value.Trim();
            switch (meta.Groups["key"].Value.ToLowerInvariant())
            {
                case "author" or "authors" or "by":
                    _author = ImportSupport.NullIfBlank(value.Replace("[[", "").Replace("]]", ""));
                    return true;
                case "url" or "link":
                    _url = ImportSupport.NullIfBlank(MarkdownLinkTarget(value));
                    return true;
                case "source":
                    // "Source: https://…" is a URL; "Source: Kindle" (Readwise) is not, and is dropped.
                    var target = MarkdownLinkTarget(value);
                    if (Uri.TryCreate(target, UriKind.Absolute, out _)) _url = target;
                    return true;
                case "full title" or "title":
                    if (value.Length > 0) _title = value;
                    return true;
                case "tags":
                    _sourceTags = [.. SplitMarkdownTags(value)];
                    return true;
                case "category":
                    return true;
                default:
                    return false;
            }
        }

        private void SubItem(Pending parent, string item)
        {
            if (MetadataPattern().Match(item) is { Success: true } meta)
            {
                switch (meta.Groups["key"].Value.ToLowerInvariant())
                {
                    case "note":
                        AddNote(parent, meta.Groups["value"].Value);
                        return;
                    case "tags":
                        parent.Tags.AddRange(SplitMarkdownTags(meta.Groups["value"].Value));
                        if (parent.Index >= 0) _highlights[parent.Index] = _highlights[parent.Index] with { Tags = [.. _highlights[parent.Index].Tags, .. SplitMarkdownTags(meta.Groups["value"].Value)] };
                        return;
                }
            }
            AddNote(parent, item);
        }

        private void AddNote(Pending target, string note)
        {
            note = note.Trim();
            if (note.Length == 0) return;
            target.Note = target.Note is null ? note : $"{target.Note}\n{note}";
            // A note may come after its highlight was already emitted (a "Note:" line after a blank line).
            if (target.Index >= 0) _highlights[target.Index] = _highlights[target.Index] with { Note = target.Note };
        }

        /// <summary>Ends the highlight being built. Already-flushed highlights stay reachable through <c>_last</c> for notes.</summary>
        private void Flush()
        {
            if (_pending is null) return;
            var pending = _pending;
            _pending = null;
            var text = pending.Text.ToString().Trim();
            string? page = null, location = null;
            if (LocationSuffixPattern().Match(text) is { Success: true } suffix)
            {
                text = text[..suffix.Index].TrimEnd();
                var value = suffix.Groups["value"].Value;
                if (suffix.Groups["kind"].Value.StartsWith('p') || suffix.Groups["kind"].Value.StartsWith('P')) page = value;
                else if (!suffix.Groups["kind"].Value.Equals("View Highlight", StringComparison.OrdinalIgnoreCase)) location = value;
            }
            if (text.Length == 0)
            {
                Issues.Add(new ImportIssue(fileName, pending.Line, null, "missing highlight text"));
                _last = null;
                return;
            }
            _sourceHasHighlights = true;
            pending.Text.Clear().Append(text);
            pending.Index = _highlights.Count;
            _highlights.Add(Build(pending, page, location));
            _last = pending;
        }

        private Highlight Build(Pending pending, string? page, string? location) => new()
        {
            Text = pending.Text.ToString(),
            Note = pending.Note,
            Source = new HighlightSource(_title, _author, _url),
            Location = page is null && location is null ? null : new HighlightLocation(page, location),
            Tags = [.. _sourceTags, .. pending.Tags],
        };

        /// <summary>Headings that organise one source's notes (Readwise writes "## Metadata" and "## Highlights") rather than name a new one.</summary>
        private static bool IsSectionHeading(string text) =>
            text.Equals("Metadata", StringComparison.OrdinalIgnoreCase)
            || text.Equals("Notes", StringComparison.OrdinalIgnoreCase)
            || text.Equals("Summary", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("Highlights", StringComparison.OrdinalIgnoreCase);

        private static bool IsNote(Match meta) => meta.Groups["key"].Value.Equals("note", StringComparison.OrdinalIgnoreCase);

        private static string MarkdownLinkTarget(string value) =>
            LinkPattern().Match(value) is { Success: true } link ? link.Groups["url"].Value : value;

        private static IEnumerable<string> SplitMarkdownTags(string value) =>
            ImportSupport.SplitTags(value.Replace("[[", "").Replace("]]", "").Replace(" #", ",")).Select(t => t.TrimStart('#'));
    }

    private sealed class Pending(int line, string first, bool isQuote)
    {
        public int Line { get; } = line;
        public bool IsQuote { get; } = isQuote;
        public System.Text.StringBuilder Text { get; } = new(first);
        public List<string> Tags { get; } = [];
        public string? Note { get; set; }

        /// <summary>Where the highlight went in the output once emitted, so a later note can still reach it.</summary>
        public int Index { get; set; } = -1;

        /// <summary>Quote lines keep their breaks: a blank "&gt;" line is a paragraph break inside one passage.</summary>
        public void AppendLine(string line) => Text.Append('\n').Append(line);

        /// <summary>A bullet wrapped onto the next line continues the same sentence.</summary>
        public void AppendWrapped(string line) => Text.Append(' ').Append(line);
    }

    [GeneratedRegex(@"^(?<level>#{1,6})\s+(?<text>.*)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\s*(?:[-*+]|\d{1,4}[.)])(?:\s+(?<text>.*))?$")]
    private static partial Regex BulletPattern();

    [GeneratedRegex(@"^\**(?<key>Author|Authors|By|URL|Link|Source|Full Title|Title|Tags|Category|Note)\**\s*:\s*\**\s*(?<value>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetadataPattern();

    [GeneratedRegex(@"\s*\(\[?(?<kind>Location|Loc\.|Page|p\.|View Highlight)\s*(?<value>[\w\-]*)\]?(?:\([^)\s]*\))?\)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LocationSuffixPattern();

    [GeneratedRegex(@"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")]
    private static partial Regex ThematicBreakPattern();

    [GeneratedRegex(@"\[[^\]]*\]\((?<url>[^)\s]+)\)")]
    private static partial Regex LinkPattern();
}
