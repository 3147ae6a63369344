using Hatch.Core.Domain;

namespace Hatch.Core.Highlights;

/// <summary>
/// The front door for every export format: picks the importer by content (or by name), reads the file,
/// drops duplicates by content hash, and applies --strict.
/// </summary>
public sealed class HighlightImporters(IEnumerable<IHighlightImporter> importers)
{
    /// <summary>Every format Hatch reads, in the order auto-detection breaks ties.</summary>
    public static HighlightImporters Default { get; } = new([]);

    public IReadOnlyList<IHighlightImporter> All { get; } = importers.ToArray();

    public IReadOnlyList<string> Formats => All.Select(i => i.Format).ToArray();

    /// <summary>Reads <paramref name="content"/>; <paramref name="format"/> is "auto" or one of <see cref="Formats"/>.</summary>
    public ImportResult Import(string content, string fileName, string format = "auto", bool strict = false)
    {
        throw new ImportException($"{fileName}: importers are not in place yet");
    }

    public ImportResult ImportFile(string path, string format = "auto", bool strict = false) =>
        Import(File.ReadAllText(path), Path.GetFileName(path), format, strict);
}
