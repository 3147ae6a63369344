using System.Text;
using CsCheck;
using Hatch.Writing.Importing;
using Hatch.Writing.Tests.Highlights;

namespace Hatch.Writing.Tests.Hostile;

/// <summary>
/// Each importer on its own, and the detecting facade, fed what an upload can carry: arbitrary bytes decoded as the
/// web app and the CLI decode them, and real exports (the shipped samples and the test fixtures) cut, spliced and
/// corrupted at the byte level. The only exception allowed is <see cref="ImportException"/>, and every rejected record
/// names the file, where it is (a line or a JSON path) and why.
/// </summary>
public sealed class ImporterPropertyTests
{
    private const string FileName = "upload.bin";

    private static readonly byte[][] RealFiles =
        Directory.GetFiles(Path.Combine(TestFiles.RepoRoot, "samples"))
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "Highlights")))
            .Order().Select(File.ReadAllBytes).ToArray();

    public static TheoryData<string> Formats => new(HighlightImporters.Default.Formats);

    /// <summary>How the web app reads an upload (UTF-8, or whatever a byte order mark says); invalid UTF-8 becomes U+FFFD.</summary>
    private static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static readonly Gen<byte[]> ArbitraryBytes =
        Gen.Frequency(
            (2, Gen.Byte.Array[0, 400]),
            // Bytes that matter to the parsers, so the generator reaches past the first character.
            (3, Gen.OneOf("{}[]\",:\n\r,#>-=|\\ aZ09".Select(c => (byte)c).Concat(new byte[] { 0xEF, 0xBB, 0xBF, 0xFF, 0xFE, 0xC3, 0x80, 0x00 }).ToArray()).Array[0, 400]));

    /// <summary>A real export with bytes cut, repeated, overwritten or spliced from another export.</summary>
    private static readonly Gen<byte[]> MutatedRealFile =
        Gen.Select(Gen.Int[0, RealFiles.Length - 1], Gen.Int[0, RealFiles.Length - 1], Gen.Int[0, 5], Gen.Byte.Array[1, 6], Gen.Double[0, 1], Gen.Double[0, 1])
            .Select((a, b, kind, noise, x, y) =>
            {
                var bytes = RealFiles[a];
                var at = (int)(x * bytes.Length);
                var length = Math.Min((int)(y * 200), bytes.Length - at);
                return kind switch
                {
                    0 => bytes[..at],                                                           // truncated download
                    1 => [.. bytes[..at], .. bytes[(at + length)..]],                           // a slice lost
                    2 => [.. bytes[..at], .. bytes[at..(at + length)], .. bytes[at..]],         // a slice repeated
                    3 => [.. bytes[..at], .. noise, .. bytes[Math.Min(bytes.Length, at + noise.Length)..]], // overwritten
                    4 => [.. bytes[..at], .. RealFiles[b][(int)(y * RealFiles[b].Length)..]],   // two exports spliced
                    _ => [.. bytes[..at], .. noise, .. bytes[at..]],                            // bytes inserted
                };
            });

    [Theory]
    [MemberData(nameof(Formats))]
    public void ArbitraryBytesNeverCrashTheImporter(string format) =>
        ArbitraryBytes.Sample(bytes => Check(format, Decode(bytes)), iter: 600, threads: 1);

    [Theory]
    [MemberData(nameof(Formats))]
    public void MutatedRealFilesNeverCrashTheImporter(string format) =>
        MutatedRealFile.Sample(bytes => Check(format, Decode(bytes)), iter: 600, threads: 1);

    [Fact]
    public void TheDetectingFacadeUnderTightLimitsOnlyEverRefusesWithItsOwnError()
    {
        var limited = HighlightImporters.Default.WithLimits(new HatchLimits { MaxHighlightsPerImport = 3, MaxHighlightLength = 100 });
        Gen.Frequency((1, ArbitraryBytes), (3, MutatedRealFile)).Sample(bytes =>
        {
            var content = Decode(bytes);
            Expect(() => HighlightImporters.Default.Import(content, FileName));
            Expect(() => HighlightImporters.Default.Import(content, FileName, strict: true));
            Expect(() => limited.Import(content, FileName), limited.Limits);
        }, iter: 1500, threads: 1);
    }

    [Fact]
    public void EveryRealFileStillImportsWhole()
    {
        // The mutations above start from these; an unmutated one must read without a single rejection.
        foreach (var path in Directory.GetFiles(Path.Combine(TestFiles.RepoRoot, "samples")))
            Assert.Empty(HighlightImporters.Default.ImportFile(path).Rejected);
    }

    private static void Check(string format, string content)
    {
        var importer = HighlightImporters.Default.All.Single(i => i.Format == format);
        Assert.True(importer.Detect(content) >= 0);
        Expect(() => importer.Import(content, FileName));
        Expect(() => HighlightImporters.Default.Import(content, FileName, format));
    }

    private static void Expect(Func<ImportResult> import, HatchLimits? limits = null)
    {
        try
        {
            var result = import();
            Assert.All(result.Rejected, NamesWhereAndWhy);
            Assert.All(result.Highlights, h => Assert.False(string.IsNullOrWhiteSpace(h.Text)));
            if (limits is not null)
            {
                Assert.InRange(result.Highlights.Count, 0, limits.MaxHighlightsPerImport);
                Assert.All(result.Highlights, h => Assert.InRange(h.Text.Length, 1, limits.MaxHighlightLength));
            }
        }
        catch (ImportException ex)
        {
            Assert.Contains(FileName, ex.Message);
            // A whole-file refusal (not this format, too many highlights) has no line; a record's always does.
            Assert.All(ex.Issues.Where(i => ex.Limit != nameof(HatchLimits.MaxHighlightsPerImport) && !i.Message.StartsWith("not valid JSON")), NamesWhereAndWhy);
            Assert.All(ex.Issues, i => Assert.Equal(FileName, i.File));
        }
    }

    private static void NamesWhereAndWhy(ImportIssue issue)
    {
        Assert.Equal(FileName, issue.File);
        Assert.True(issue.Line is > 0 || issue.JsonPath is { Length: > 0 }, $"no line or path: {issue}");
        Assert.False(string.IsNullOrWhiteSpace(issue.Message), $"no reason: {issue}");
    }
}
