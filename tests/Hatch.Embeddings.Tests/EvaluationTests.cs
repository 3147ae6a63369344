using Xunit.Abstractions;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class EvaluationTests(MiniLmFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void TheEvaluationSetHasSixTopicsEachFromSeveralSources()
    {
        Assert.InRange(fixture.Set.Count, 250, 400);
        var topics = fixture.Set.GroupBy(h => h.Topic).ToArray();
        Assert.True(topics.Length >= 6);
        Assert.All(topics, t => Assert.True(t.Select(h => h.Source).Distinct().Count() >= 3));
        Assert.Equal(fixture.Set.Count, fixture.Set.Select(h => h.Text).Distinct().Count());
    }

    [Fact]
    public async Task MiniLMGroupsHighlightsByTopicClearlyBetterThanSharedWords()
    {
        var report = await ThemeEvaluation.RunAsync(fixture.Set, fixture.Vectors, fixture.Generator);
        output.WriteLine(report.ToString());

        Assert.True(report.Semantic.AdjustedRand >= report.Lexical.AdjustedRand + 0.25,
            $"ARI MiniLM {report.Semantic.AdjustedRand} vs lexical {report.Lexical.AdjustedRand}");
        Assert.True(report.Semantic.Purity >= report.Lexical.Purity + 0.15,
            $"purity MiniLM {report.Semantic.Purity} vs lexical {report.Lexical.Purity}");
        Assert.True(report.Semantic.AdjustedRand >= 0.5, $"ARI MiniLM {report.Semantic.AdjustedRand}");
        Assert.True(report.SemanticSections.MultiSourceShare >= report.LexicalSections.MultiSourceShare,
            $"multi-source sections MiniLM {report.SemanticSections.MultiSourceShare} vs lexical {report.LexicalSections.MultiSourceShare}");
        Assert.True(report.SemanticSections.TopicPurity > report.LexicalSections.TopicPurity,
            $"section topic purity MiniLM {report.SemanticSections.TopicPurity} vs lexical {report.LexicalSections.TopicPurity}");
    }
}
