using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Rendering;

/// <summary>
/// A library as Obsidian-ready Markdown: one file per source with YAML front matter (title, author, source URL, tags,
/// imported, updated) and each highlight as a block quote with its location, note and tags, then the notes kept on the
/// source. File names come from the title and author alone, so exporting again overwrites the same files in a vault.
/// </summary>
/// <remarks>
/// Every front-matter value is written as a double-quoted scalar with JSON's escapes, which YAML reads as the same
/// string whatever it holds (colons, quotes, "---", line breaks), so a title can never end the front matter early.
/// Every line of a quote starts with "&gt; ", so nothing in a highlight can start a heading or front matter either.
/// </remarks>
public static class ObsidianExport
{
    private static readonly JsonSerializerOptions Yaml = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One source's file: its name in the zip and its Markdown.</summary>
    public sealed record SourceFile(string FileName, string Markdown);

    public static IReadOnlyList<SourceFile> Files(IEnumerable<StoredHighlight> highlights, IEnumerable<StoredSourceNote> notes)
    {
        var bySource = new Dictionary<(string Title, string? Author), (List<StoredHighlight> Highlights, List<StoredSourceNote> Notes)>();
        foreach (var h in highlights)
        {
            var key = (h.SourceTitle, h.SourceAuthor);
            if (!bySource.TryGetValue(key, out var entry)) bySource[key] = entry = ([], []);
            entry.Highlights.Add(h);
        }
        foreach (var n in notes)
        {
            var key = (n.SourceTitle, n.SourceAuthor);
            if (!bySource.TryGetValue(key, out var entry)) bySource[key] = entry = ([], []);
            entry.Notes.Add(n);
        }
        return bySource
            .Select(s => new SourceFile(FileNameOf(s.Key.Title, s.Key.Author), Render(s.Key.Title, s.Key.Author, s.Value.Highlights, s.Value.Notes)))
            .OrderBy(f => f.FileName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes the zip; entries carry a fixed time, so the same library gives the same bytes.</summary>
    /// <param name="onFileWritten">Told (files written, files in all) after each file, for a progress bar.</param>
    public static void WriteZip(Stream output, IReadOnlyList<SourceFile> files, Action<int, int>? onFileWritten = null)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var written = 0;
        foreach (var file in files)
        {
            var entry = zip.CreateEntry(file.FileName, CompressionLevel.Optimal);
            entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using (var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false)))
                writer.Write(file.Markdown);
            onFileWritten?.Invoke(++written, files.Count);
        }
    }

    /// <summary>
    /// A readable name that every file system accepts ("Deep Work - Cal Newport.md" becomes "Deep Work - Cal Newport 1a2b3c.md"):
    /// the characters Windows, macOS and Obsidian's links refuse are dropped, and a short hash of the exact title and
    /// author keeps two sources that clean up to the same words apart.
    /// </summary>
    public static string FileNameOf(string title, string? author)
    {
        var readable = author is null ? title : $"{title} - {author}";
        var builder = new StringBuilder(readable.Length);
        foreach (var ch in readable.Normalize(NormalizationForm.FormC))
        {
            if (char.IsControl(ch) || "\\/:*?\"<>|#^[]".Contains(ch)) builder.Append(' ');
            else builder.Append(ch);
        }
        var cleaned = string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Trim('.', ' ');
        if (cleaned.Length > 80) cleaned = cleaned[..80].TrimEnd('.', ' ');
        if (cleaned.Length == 0) cleaned = "Untitled";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{title}\n{author}")))[..6];
        return $"{cleaned} {hash}.md";
    }

    private static string Render(string title, string? author, List<StoredHighlight> highlights, List<StoredSourceNote> notes)
    {
        var ordered = highlights
            .OrderBy(h => h.Offset ?? int.MaxValue)
            .ThenBy(h => NumberOf(h.Location) ?? NumberOf(h.Page) ?? double.MaxValue)
            .ThenBy(h => h.HighlightedAt ?? h.ImportedAt)
            .ThenBy(h => h.Id)
            .ToList();
        var url = highlights.Select(h => h.SourceUrl).Concat(notes.Select(n => n.SourceUrl)).FirstOrDefault(u => u is not null);
        var tags = highlights.SelectMany(h => h.TagList).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var stamps = highlights.Select(h => h.ImportedAt).Concat(notes.Select(n => n.ImportedAt)).ToList();

        var md = new StringBuilder();
        md.Append("---\n");
        md.Append("title: ").Append(Quote(title)).Append('\n');
        if (author is not null) md.Append("author: ").Append(Quote(author)).Append('\n');
        if (url is not null) md.Append("source_url: ").Append(Quote(url)).Append('\n');
        md.Append("tags: [").Append(string.Join(", ", tags.Select(t => Quote(ObsidianTag(t))))).Append("]\n");
        md.Append("highlights: ").Append(highlights.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (stamps.Count > 0)
        {
            md.Append("imported: ").Append(Stamp(stamps.Min())).Append('\n');
            md.Append("updated: ").Append(Stamp(stamps.Max())).Append('\n');
        }
        md.Append("---\n\n");
        md.Append("# ").Append(OneLine(title)).Append('\n');
        if (author is not null) md.Append("\nby ").Append(OneLine(author)).Append('\n');
        if (url is not null) md.Append('\n').Append('<').Append(url.Replace(">", "%3E", StringComparison.Ordinal)).Append(">\n");

        foreach (var h in ordered)
        {
            md.Append('\n');
            foreach (var line in h.Text.ReplaceLineEndings("\n").Split('\n')) md.Append("> ").Append(line).Append('\n');
            var place = h.ToHighlight().Location?.ToString();
            var meta = new List<string>(3);
            if (!string.IsNullOrEmpty(place)) meta.Add(place);
            if (h.HighlightedAt is { } at) meta.Add(at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (h.TagList.Count > 0) meta.Add(string.Join(' ', h.TagList.Select(t => "#" + ObsidianTag(t))));
            if (h.DeletedUpstreamAt is not null) meta.Add("deleted at its source, kept because a draft cites it");
            if (meta.Count > 0) md.Append(">\n> — ").Append(string.Join(" · ", meta)).Append('\n');
            // A block id lets a note elsewhere in the vault link to this very highlight, and stays across exports.
            // Obsidian wants a quote's id on a line of its own after a blank line (else it is read as part of the quote).
            md.Append("\n^h").Append(h.Id.ToString("N")[..12]).Append('\n');
            if (!string.IsNullOrWhiteSpace(h.Note)) md.Append("\n**Note:** ").Append(h.Note.Trim().ReplaceLineEndings("\n")).Append('\n');
        }

        if (notes.Count > 0)
        {
            md.Append("\n## Notes\n");
            foreach (var n in notes.OrderBy(n => n.WrittenAt ?? n.ImportedAt).ThenBy(n => n.Id))
            {
                md.Append('\n').Append(n.Text.Trim().ReplaceLineEndings("\n")).Append('\n');
                var place = n.ToSourceNote().Location?.ToString();
                if (!string.IsNullOrEmpty(place)) md.Append("\n— ").Append(place).Append('\n');
            }
        }
        return md.ToString();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, Yaml);

    private static string Stamp(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string OneLine(string value) => value.ReplaceLineEndings(" ");

    /// <summary>Obsidian's tags take no spaces: "deep work" becomes "deep-work".</summary>
    private static string ObsidianTag(string tag) => string.Join('-', tag.Split([' ', '\t', '#', ','], StringSplitOptions.RemoveEmptyEntries));

    private static double? NumberOf(string? value) =>
        double.TryParse(value?.Split('-', '–')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>A draft as a Markdown file with front matter (title, author, date, status, sources), for a vault or a static site.</summary>
public static class DraftMarkdownFile
{
    public static string Render(string title, string? author, DateTimeOffset date, string status, IEnumerable<string> sources, string markdown)
    {
        var md = new StringBuilder();
        md.Append("---\n");
        md.Append("title: ").Append(JsonSerializer.Serialize(title, YamlOptions)).Append('\n');
        if (author is not null) md.Append("author: ").Append(JsonSerializer.Serialize(author, YamlOptions)).Append('\n');
        md.Append("date: ").Append(date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append('\n');
        md.Append("status: ").Append(JsonSerializer.Serialize(status, YamlOptions)).Append('\n');
        var distinct = sources.Distinct(StringComparer.Ordinal).ToList();
        md.Append(distinct.Count == 0 ? "sources: []\n" : "sources:\n");
        foreach (var source in distinct) md.Append("  - ").Append(JsonSerializer.Serialize(source, YamlOptions)).Append('\n');
        md.Append("---\n\n");
        md.Append(markdown.ReplaceLineEndings("\n"));
        if (!markdown.EndsWith('\n')) md.Append('\n');
        return md.ToString();
    }

    public static string FileNameOf(string title) => ObsidianExport.FileNameOf(title, null);

    private static readonly JsonSerializerOptions YamlOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
