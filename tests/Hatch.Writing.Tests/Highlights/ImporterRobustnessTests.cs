using CsCheck;
using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>
/// Whatever bytes a user uploads, an importer either returns a result or throws <see cref="ImportException"/>:
/// never a parser's own exception, which the CLI and the web app would show as a crash.
/// </summary>
public sealed class ImporterRobustnessTests
{
    private static readonly string[] SampleTexts =
        Directory.GetFiles(Path.Combine(TestFiles.RepoRoot, "samples")).Order().Select(File.ReadAllText).ToArray();

    private static readonly string Alphabet = "\"',;:|#>-*()[]{}\\\r\n\t =0123456789abcXYZ\uFEFFé€ \u0000";

    /// <summary>Text built from the characters that matter to the parsers, plus signatures that wake each one up.</summary>
    private static readonly Gen<string> Structured =
        Gen.Frequency(
            (3, Gen.String[Gen.Char[Alphabet], 0, 300]),
            (1, Gen.String),
            (2, Gen.OneOf(
                    Gen.Const("==========\r\n- Your Highlight on Location 1-2 | Added on "),
                    Gen.Const("Highlight,Book Title,Book Author,Note,Tags,Location Type,Location,Highlighted at\n"),
                    Gen.Const("Document Title,Document URL,Glasp URL,Highlight Text,Note,Tags,Color,Highlighted At\n"),
                    Gen.Const("{\"rows\":[{\"target\":[{\"selector\":[{\"type\":\"TextQuoteSelector\",\"exact\":"),
                    Gen.Const("{\"results\":[{\"glasp_url\":\"x\",\"highlights\":["),
                    Gen.Const("[{\"text\":\"a\",\"source\":"),
                    Gen.Const("# Title\n> quote\n- bullet\n  - Note: n\n"))
                .SelectMany(prefix => Gen.String[Gen.Char[Alphabet], 0, 200].Select(tail => prefix + tail))));

    /// <summary>A shipped sample with a slice cut out, duplicated or replaced: truncated downloads and hand edits.</summary>
    private static readonly Gen<string> MutatedSample =
        Gen.Int[0, SampleTexts.Length - 1].SelectMany(i =>
        {
            var text = SampleTexts[i];
            return Gen.Select(Gen.Int[0, text.Length], Gen.Int[0, 64], Gen.Int[0, 3], Gen.String[Gen.Char[Alphabet], 0, 8],
                (at, length, kind, insert) =>
                {
                    length = Math.Min(length, text.Length - at);
                    return kind switch
                    {
                        0 => text.Remove(at, length),
                        1 => text.Insert(at, insert),
                        2 => text[..at],
                        _ => text.Remove(at, length).Insert(at, insert),
                    };
                });
        });

    [Fact]
    public void ArbitraryTextNeverCrashesAnImporterOrTheFacade() =>
        Gen.Frequency((2, Structured), (1, MutatedSample)).Sample(AssertOnlyImportExceptions, iter: 1500, threads: 1);

    [Fact]
    public void MutatedSamplesNeverCrashAnImporterOrTheFacade() =>
        MutatedSample.Sample(AssertOnlyImportExceptions, iter: 1500, threads: 1);

    private static void AssertOnlyImportExceptions(string content)
    {
        foreach (var importer in HighlightImporters.Default.All)
        {
            Assert.True(importer.Detect(content) >= 0);
            Check(() => importer.Import(content, "fuzz.txt"));
        }
        Check(() => HighlightImporters.Default.Import(content, "fuzz.txt"));
        Check(() => HighlightImporters.Default.Import(content, "fuzz.txt", strict: true));
    }

    private static void Check(Func<ImportResult> import)
    {
        try
        {
            var result = import();
            Assert.All(result.Rejected, AssertUsable);
            Assert.All(result.Highlights, h => Assert.False(string.IsNullOrWhiteSpace(h.Text)));
        }
        catch (ImportException ex)
        {
            Assert.Contains("fuzz.txt", ex.Message);
            Assert.All(ex.Issues, AssertUsable);
        }
    }

    private static void AssertUsable(ImportIssue issue)
    {
        Assert.Equal("fuzz.txt", issue.File);
        Assert.False(string.IsNullOrWhiteSpace(issue.Message));
        Assert.True(issue.Line is null or > 0, $"line {issue.Line}");
    }
}
