using Hatch.Domain.Articles;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Grounding;
using Hatch.Writing.Hatching;
using Hatch.Writing.Importing;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Hatch.Embeddings.Tests;

/// <summary>
/// The extractive writer only quotes the reader's highlights and joins them with sentences about the reading, so the
/// grounding check must find nothing to flag in its drafts; a flag here is an unfair rule, not a bad draft.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class ExtractiveGroundingTests(MiniLmFixture fixture, ITestOutputHelper output)
{
    // The samples, and the libraries of the first blind reading (docs/writer-eval/held-out): those carry the notes that
    // link sources ("Same idea as …"), which the writer quotes between the passages they join.
    public static TheoryData<string> Samples() => new(Directory.GetFiles(SamplesFolder()).Select(Path.GetFileName)
        .Concat(Directory.GetFiles(HeldOutFolder()).Select(f => "held-out/" + Path.GetFileName(f))).Order()!);

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task EveryExtractiveDraftOfASampleIsFullySupported(string sample)
    {
        var path = sample.StartsWith("held-out/", StringComparison.Ordinal) ? Path.Combine(HeldOutFolder(), sample["held-out/".Length..]) : Path.Combine(SamplesFolder(), sample);
        var highlights = HighlightImporters.Default.ImportFile(path).Highlights;
        var checker = new GroundingChecker(fixture.Generator, Options.Create(new GroundingOptions()));
        foreach (var length in new[] { "short", "medium", "long" })
        {
            var request = ArticleRequest.From(highlights, new ArticleOptions { Length = length });
            var written = await new ExtractiveArticleWriter(TimeProvider.System, fixture.Generator).WriteAsync(request);

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var report = await checker.CheckAsync(written.Article, request.Highlights);
            output.WriteLine($"{sample} {length}: {report.Checked} sentences checked in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");

            foreach (var flag in report.Unsupported) output.WriteLine($"{length} {flag.Part} {flag.Score}: {flag.Sentence}");
            Assert.True(report.Checked >= 3, $"{sample} ({length}): only {report.Checked} sentences checked");
            Assert.Empty(report.Unsupported);
            Assert.Equal(report.Checked, report.Supported);
        }
    }

    private static string HeldOutFolder() => RepositoryRoot.Combine("docs", "writer-eval", "held-out");

    private static string SamplesFolder() => RepositoryRoot.Combine("samples");
}
