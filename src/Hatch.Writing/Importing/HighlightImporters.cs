using Hatch.Domain.Highlights;

namespace Hatch.Writing.Importing;

/// <summary>
/// The front door for every export format: picks the importer by content (or by name), reads the file,
/// drops duplicates by content hash, and applies --strict. Stateless, so one instance serves every request.
/// </summary>
public sealed class HighlightImporters(IEnumerable<IHighlightImporter> importers, HatchLimits? limits = null)
{
    public const string AutoFormat = "auto";

    /// <summary>
    /// Every format Hatch reads, in the order auto-detection breaks ties: the formats with an unmistakable
    /// signature first, the loosest (Markdown) last.
    /// </summary>
    public static HighlightImporters Default { get; } = new(
    [
        new KindleClippingsImporter(),
        new ReadwiseCsvImporter(),
        new GlaspImporter(),
        new HypothesisImporter(),
        new HatchJsonImporter(),
        new MarkdownListImporter(),
    ]);

    public IReadOnlyList<IHighlightImporter> All { get; } = importers.ToArray();

    /// <summary>The limits every import is held to; null (the bare <see cref="Default"/>) reads files of any size.</summary>
    public HatchLimits? Limits { get; } = limits;

    /// <summary>The same importers, holding every file to <paramref name="limits"/>.</summary>
    public HighlightImporters WithLimits(HatchLimits limits) => new(All, limits);

    /// <summary>The same importers with <paramref name="importer"/> in place of the one of its format (e.g. Readwise with discards).</summary>
    public HighlightImporters With(IHighlightImporter importer) =>
        new(All.Select(i => i.Format == importer.Format ? importer : i), Limits);

    public IReadOnlyList<string> Formats => All.Select(i => i.Format).ToArray();

    /// <summary>Reads <paramref name="content"/>; <paramref name="format"/> is "auto" or one of <see cref="Formats"/>.</summary>
    public ImportResult Import(string content, string fileName, string format = AutoFormat, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        content = content.TrimStart(ImportSupport.ByteOrderMark);
        var importer = Choose(content, fileName, format);
        var raw = importer.Import(content, fileName);
        var result = Clean(raw);
        if (Limits is not null) ImportLimitCheck.Enforce(Limits, result, content, fileName);
        if (strict && result.Rejected.Count > 0)
        {
            // The records themselves travel in Issues, which every caller lists; the message is only the headline.
            throw new ImportException(
                $"{fileName}: {result.Rejected.Count} record{(result.Rejected.Count == 1 ? " was" : "s were")} rejected (strict mode):",
                result.Rejected);
        }
        return result;
    }

    /// <summary>Reads a file (UTF-8, or UTF-16 with a byte order mark) and imports it under its file name.</summary>
    public ImportResult ImportFile(string path, string format = AutoFormat, bool strict = false)
    {
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable file is bad input like any other, not a crash.
            throw new ImportException($"{path}: cannot read the file: {ex.Message}");
        }
        return Import(content, Path.GetFileName(path), format, strict);
    }

    /// <summary>The importer whose <see cref="IHighlightImporter.Detect"/> is most certain; ties go to the earlier one.</summary>
    public IHighlightImporter? Detect(string content)
    {
        IHighlightImporter? best = null;
        var bestScore = 0;
        foreach (var importer in All)
        {
            var score = importer.Detect(content);
            if (score > bestScore)
            {
                best = importer;
                bestScore = score;
            }
        }
        return best;
    }

    private IHighlightImporter Choose(string content, string fileName, string? format)
    {
        if (string.IsNullOrWhiteSpace(format) || format.Equals(AutoFormat, StringComparison.OrdinalIgnoreCase))
        {
            if (Detect(content) is { } detected) return detected;
            if (MarkdownListImporter.DocumentReason(content) is { } document)
                throw new ImportException($"{fileName}: {document}") { ChooseFormat = ["markdown"] };
            throw new ImportException($"{fileName}: cannot tell the format of this file") { ChooseFormat = Formats };
        }
        return All.FirstOrDefault(i => i.Format.Equals(format.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ImportException($"{fileName}: unknown format '{format}'; use one of {AutoFormat}, {string.Join(", ", Formats)}");
    }

    /// <summary>
    /// What every format gets, so that importers only parse: trimmed text, tidy tags, no empty notes, and each
    /// passage once (the first occurrence wins, taking a later duplicate's note if it had none).
    /// </summary>
    /// <summary>Files with fewer highlights than this are cleaned on one thread.</summary>
    private const int ParallelFrom = 4_096;

    private static (Highlight Highlight, string Hash) Normalize(Highlight original)
    {
        var highlight = original with
        {
            // One line-ending convention, whatever the exporter's platform was: text is compared and shown later.
            Text = original.Text.ReplaceLineEndings("\n").Trim(),
            Note = ImportSupport.NullIfBlank(original.Note)?.ReplaceLineEndings("\n").Trim(),
            Tags = NormalizeTags(original.Tags),
            Color = ImportSupport.NullIfBlank(original.Color)?.Trim(),
        };
        return (highlight, highlight.Text.Length == 0 ? "" : highlight.ContentHash);
    }

    private static ImportResult Clean(ImportResult raw)
    {
        var kept = new List<Highlight>(raw.Highlights.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = 0;
        // Normalising and hashing each highlight is independent work; on a large file it runs on every core.
        var cleaned = new (Highlight Highlight, string Hash)[raw.Highlights.Count];
        if (cleaned.Length >= ParallelFrom)
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, cleaned.Length, 2_048), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++) cleaned[i] = Normalize(raw.Highlights[i]);
            });
        else
            for (var i = 0; i < cleaned.Length; i++) cleaned[i] = Normalize(raw.Highlights[i]);
        foreach (var (highlight, hash) in cleaned)
        {
            if (highlight.Text.Length == 0) continue; // importers reject empty text themselves; this only guards the invariant
            if (positions.TryGetValue(hash, out var index))
            {
                duplicates++;
                if (kept[index].Note is null && highlight.Note is not null) kept[index] = kept[index] with { Note = highlight.Note };
                continue;
            }
            positions[hash] = kept.Count;
            kept.Add(highlight);
        }
        return raw with { Highlights = kept, Duplicates = raw.Duplicates + duplicates };
    }

    private static IReadOnlyList<string> NormalizeTags(IReadOnlyList<string> tags) =>
        tags.Count == 0
            ? tags
            : tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
