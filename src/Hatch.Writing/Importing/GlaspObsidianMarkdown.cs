using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// Glasp's Obsidian export: one Markdown file per page, named after its title, with front matter (<c>URL:</c>,
/// <c>Glasp URL:</c>, <c>Author:</c> for Kindle books, <c>Tags: [a, b]</c>, <c>Last updated:</c>), an optional
/// <c>#### Thoughts &amp; Comments</c> section (the reader's note on the whole page) and <c>#### Highlights &amp; Notes</c>,
/// where each highlight is a <c>&gt; quote</c> line and its note follows as <c>- note</c> (older plugin versions wrote
/// <c>---</c> and <c>**note:**</c> before it). A note runs until the next quote, blank lines included, because
/// the plugin writes the reader's note as typed.
/// </summary>
internal static class GlaspObsidianMarkdown
{
    public const string Signature = "Glasp URL:";
    private const string HighlightsHeading = "#### Highlights & Notes";

    public static bool Looks(ReadOnlySpan<char> head) =>
        head.StartsWith("---") && head.Contains(Signature, StringComparison.Ordinal);

    public static ImportResult Import(string content, string fileName, string format)
    {
        var lines = ImportSupport.Lines(content);
        var issues = new List<ImportIssue>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        if (lines.Count > 0 && lines[0].Trim() == "---")
        {
            for (i = 1; i < lines.Count && lines[i].Trim() != "---"; i++)
            {
                var colon = lines[i].IndexOf(':');
                if (colon > 0) fields[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim().Trim('"');
            }
            i++;
        }

        var title = Path.GetFileNameWithoutExtension(fileName);
        var url = ImportSupport.NullIfBlank(fields.GetValueOrDefault("URL"));
        var source = new HighlightSource(ImportSupport.NullIfBlank(title) ?? url ?? HighlightSource.Unknown.Title,
            ImportSupport.NullIfBlank(fields.GetValueOrDefault("Author")), url ?? ImportSupport.NullIfBlank(fields.GetValueOrDefault("Glasp URL")));
        string[] tags = fields.GetValueOrDefault("Tags") is { } tagList
            ? [.. ImportSupport.SplitTags(tagList.Trim('[', ']'))]
            : [];

        var highlights = new List<Highlight>();
        var notes = new List<SourceNote>();
        string? section = null;
        var documentNote = new List<string>();
        (int Line, List<string> Quote, List<string> Note)? current = null;

        void Flush()
        {
            if (current is not { } block) return;
            var text = string.Join("\n", block.Quote).Trim();
            if (text.Length == 0)
            {
                issues.Add(new ImportIssue(fileName, block.Line, null, "a '>' quote with no text"));
            }
            else
            {
                highlights.Add(new Highlight
                {
                    Text = text,
                    Note = ImportSupport.NullIfBlank(string.Join("\n", block.Note).Trim()),
                    Source = source,
                    Tags = tags,
                });
            }
            current = null;
        }

        for (; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("#### ", StringComparison.Ordinal))
            {
                Flush();
                section = line.Trim();
                continue;
            }
            if (section == "#### Thoughts & Comments")
            {
                documentNote.Add(line);
                continue;
            }
            if (section != HighlightsHeading) continue;
            if (line.StartsWith('>'))
            {
                // Consecutive quote lines are one passage; a quote after a note or a blank line starts the next.
                if (current is { } open && open.Note.Count == 0 && open.Quote.Count > 0 && i > 0 && lines[i - 1].StartsWith('>'))
                    open.Quote.Add(line[1..].Trim());
                else
                {
                    Flush();
                    current = (i + 1, [line[1..].Trim()], []);
                }
                continue;
            }
            if (current is not { } block) continue;
            var trimmed = line.Trim();
            if (block.Note.Count == 0)
            {
                if (trimmed.Length == 0 || trimmed is "---" or "**note:**") continue;
                block.Note.Add(trimmed.StartsWith("- ", StringComparison.Ordinal) ? trimmed[2..] : trimmed);
            }
            else
            {
                block.Note.Add(line.TrimEnd());
            }
        }
        Flush();

        var pageNote = string.Join("\n", documentNote).Trim();
        if (pageNote.Length > 0) notes.Add(new SourceNote(source, pageNote));
        if (highlights.Count == 0 && notes.Count == 0 && issues.Count == 0 && !content.Contains(HighlightsHeading, StringComparison.Ordinal))
            throw new ImportException($"{fileName}: not a Glasp Obsidian export: no '{HighlightsHeading}' section",
                [new ImportIssue(fileName, 1, null, $"no '{HighlightsHeading}' section")]);
        return new ImportResult(format, highlights, issues) { Notes = notes.Count, KeptNotes = notes };
    }
}
