using Hatch.TestSupport;
using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>Finds the files the importer tests read: their own under Data/, and the shipped ones under samples/.</summary>
internal static class TestFiles
{
    public static string RepoRoot => RepositoryRoot.Path;

    public static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Highlights", name);

    public static string SamplePath(string name) => Path.Combine(RepoRoot, "samples", name);

    /// <summary>Reads as the CLI and the web app do, through the facade's file reader (BOM handled by File.ReadAllText).</summary>
    public static ImportResult ImportData(string name, string format = "auto", bool strict = false) =>
        HighlightImporters.Default.ImportFile(DataPath(name), format, strict);

    public static ImportResult ImportSample(string name, string format = "auto") =>
        HighlightImporters.Default.ImportFile(SamplePath(name), format);

    /// <summary>The raw text, byte order mark included, for importers called directly.</summary>
    public static string RawData(string name) => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(DataPath(name)));
}
