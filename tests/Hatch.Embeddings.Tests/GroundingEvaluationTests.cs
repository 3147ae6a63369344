using Hatch.Writing.Grounding;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class GroundingEvaluationTests(MiniLmFixture fixture, ITestOutputHelper output)
{
    private readonly GroundingChecker _checker = new(fixture.Generator, Options.Create(new GroundingOptions()));

    [Fact]
    public void TheEvaluationSetHasOverTwoHundredLabelledSentencesAcrossTopicsAndSources()
    {
        var sets = GroundingEvaluation.Load();
        var sentences = sets.SelectMany(s => s.Sentences).ToArray();
        Assert.True(sentences.Length >= 200, $"{sentences.Length} sentences");
        Assert.True(sets.Count >= 5);
        Assert.All(sets, s => Assert.True(s.Highlights.Select(h => h.Source).Distinct().Count() >= 3, s.Topic));
        // Both labels well represented, and every kind of hard case the issue names.
        Assert.InRange(sentences.Count(s => s.Supported) / (double)sentences.Length, 0.35, 0.65);
        foreach (var kind in new[] { "statistic", "paraphrase", "reversal", "generalisation", "connective" })
            Assert.True(sentences.Count(s => s.Kind == kind) >= 10, kind);
    }

    [Fact]
    public async Task AtTheDefaultThresholdTheCheckFindsUnsupportedSentencesWithPrecisionAndRecallOfAtLeastPointEight()
    {
        var scored = await GroundingEvaluation.ScoreAsync(GroundingEvaluation.Load(), _checker);
        output.WriteLine(GroundingEvaluation.Describe(scored, GroundingOptions.DefaultThreshold));
        // For tuning outside the test: every sentence's parts of the score.
        if (Environment.GetEnvironmentVariable("HATCH_GROUNDING_CSV") is { Length: > 0 } csv)
            await File.WriteAllLinesAsync(csv, scored.Select(s => string.Join('\t',
                s.Case.Supported, s.Case.Kind, s.Scored.Sentence.CitesItself, s.Scored.Meaning, s.Scored.Overlap,
                s.Scored.NewNumbers.Count, s.Scored.Reversed, s.Scored.Score, s.Case.Text)));

        var figures = GroundingEvaluation.Measure(scored, GroundingOptions.DefaultThreshold);
        Assert.True(figures.Precision >= 0.8, figures.ToString());
        Assert.True(figures.Recall >= 0.8, figures.ToString());
    }
}
