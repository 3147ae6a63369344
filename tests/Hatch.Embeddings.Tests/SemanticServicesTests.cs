using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Themes;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class SemanticServicesTests(MiniLmFixture fixture)
{
    private string TopicOf(Guid id) => fixture.Set[MiniLmFixture.IndexOf(id)].Topic;

    [Fact]
    public void SuggestedThemesNumberThreeToFiveEachSpanningTwoSourcesAndMostlyOneTopic()
    {
        var themes = SemanticThemes.Suggest(fixture.Library);

        Assert.InRange(themes.Count, 3, 5);
        Assert.All(themes, t =>
        {
            Assert.True(t.Sources.Count >= 2, $"{t.Label} has sources {string.Join(", ", t.Sources)}");
            Assert.True(t.HighlightIds.Select(id => fixture.Library[MiniLmFixture.IndexOf(id)].Source).Distinct().Count() >= 2);
            Assert.False(string.IsNullOrWhiteSpace(t.Label));
            Assert.NotEmpty(t.KeyPhrases);
            var majority = t.HighlightIds.GroupBy(TopicOf).Max(g => g.Count()) / (double)t.HighlightIds.Count;
            Assert.True(majority >= 0.7, $"{t.Label}: only {majority:P0} from one topic");
        });
        Assert.Equal(themes.Count, themes.Select(t => t.Label).Distinct().Count());
        Assert.DoesNotContain(themes.SelectMany(t => t.HighlightIds).GroupBy(id => id), g => g.Count() > 1);
    }

    [Fact]
    public void ThemeSuggestionsDoNotDependOnTheOrderTheLibraryArrivesIn()
    {
        var forward = SemanticThemes.Suggest(fixture.Library);
        var backward = SemanticThemes.Suggest(fixture.Library.Reverse().ToArray());

        Assert.Equal(forward.Select(t => t.Label), backward.Select(t => t.Label));
        Assert.Equal(forward.SelectMany(t => t.HighlightIds), backward.SelectMany(t => t.HighlightIds));
    }

    [Fact]
    public void AThemeWhoseHighlightsAllComeFromOneSourceIsNotSuggested()
    {
        var oneBook = fixture.Library.Select(h => h with { Source = "One Book" }).ToArray();

        Assert.Empty(SemanticThemes.Suggest(oneBook));
    }

    [Fact]
    public void RelatedHighlightsExcludeTheHighlightItselfAndCopiesOfIt()
    {
        var target = fixture.Library[0];
        var copy = target with { Id = Guid.NewGuid(), Source = "Another Export" };
        var library = fixture.Library.Append(copy).ToArray();

        var related = RelatedHighlights.For(target, library, count: 5);

        Assert.Equal(5, related.Count);
        Assert.DoesNotContain(related, r => r.Id == target.Id || r.Id == copy.Id);
        Assert.Equal(related.OrderByDescending(r => r.Score).Select(r => r.Id), related.Select(r => r.Id));
        Assert.True(related.Count(r => TopicOf(r.Id) == "learning") >= 4, string.Join(", ", related.Select(r => TopicOf(r.Id))));
    }

    [Fact]
    public void RelatedHighlightsForASectionLeaveOutTheSectionsOwnHighlights()
    {
        var section = fixture.Library.Where(h => h.Source == "The Bread Book").Take(4).ToArray();

        var related = RelatedHighlights.ForGroup(section, fixture.Library, count: 6);

        Assert.NotEmpty(related);
        Assert.DoesNotContain(related, r => section.Any(s => s.Id == r.Id));
        Assert.All(related, r => Assert.Equal("cooking", TopicOf(r.Id)));
    }

    [Fact]
    public async Task SemanticSearchFindsPassagesByMeaningAndFusesTheKeywordRanking()
    {
        var query = (await fixture.Generator.EmbedAsync(["how can I remember what I study for longer"]))[0];
        var keywordOnly = fixture.Library.First(h => h.Text.StartsWith("Frugality", StringComparison.Ordinal)).Id;

        var hits = SemanticSearch.Rank(query, fixture.Library, keywordRanking: [keywordOnly], limit: 10);

        Assert.Equal("learning", TopicOf(hits[0].Id));
        Assert.True(hits.Take(5).Count(h => TopicOf(h.Id) == "learning") >= 4);
        var fusedKeyword = Assert.Single(hits, h => h.Id == keywordOnly);
        Assert.Equal(1, fusedKeyword.KeywordRank);
    }

    [Fact]
    public void ReciprocalRankFusionPutsWhatBothRankingsLikeFirst()
    {
        float[] a = [1, 0], b = [0.8f, 0.6f], c = [0.6f, 0.8f];
        var library = new[] { H(1, a), H(2, b), H(3, c) };

        var hits = SemanticSearch.Rank([1, 0], library, keywordRanking: [Id(2), Id(3)], minCosine: 0);

        Assert.Equal([Id(2), Id(3), Id(1)], hits.Select(h => h.Id));
        Assert.Equal((2, 1), (hits[0].SemanticRank, hits[0].KeywordRank));
        Assert.Equal((1, (int?)null), (hits[2].SemanticRank, hits[2].KeywordRank));
    }

    [Fact]
    public async Task ANearlyIdenticalHighlightIsReportedButTheSamePointInOtherWordsIsNot()
    {
        var texts = new[]
        {
            "Testing yourself is far more effective than rereading the chapter.",
            "Testing yourself is far more effective than re-reading a chapter.",
            "Quizzing yourself beats going over your notes again.",
        };
        var v = await fixture.Generator.EmbedAsync(texts);
        var existing = new[] { new EmbeddedHighlight(Id(1), v[0], texts[0], "Practice That Lasts") };
        var incoming = new[] { new EmbeddedHighlight(Id(2), v[1], texts[1], "Kindle"), new EmbeddedHighlight(Id(3), v[2], texts[2], "Other") };

        var duplicates = NearDuplicates.Find(incoming, existing, threshold: 0.95);

        var duplicate = Assert.Single(duplicates);
        Assert.Equal((Id(2), Id(1)), (duplicate.NewId, duplicate.ExistingId));
        Assert.True(duplicate.Cosine >= 0.95f);
    }

    [Fact]
    public void NearDuplicateDetectionIsInclusiveAtTheThresholdAndNeedsSharedWording()
    {
        // Unit vectors with cosine exactly 0.96 and 0.94 to the existing one.
        float[] existing = [1, 0];
        float[] at = [0.96f, MathF.Sqrt(1 - 0.96f * 0.96f)];
        float[] below = [0.94f, MathF.Sqrt(1 - 0.94f * 0.94f)];
        const string text = "Spacing practice sessions apart leaves knowledge more durable";
        var old = new EmbeddedHighlight(Id(1), existing, text, "A");

        var atThreshold = NearDuplicates.Find([new(Id(2), at, text, "B")], [old], threshold: 0.96f);
        var belowThreshold = NearDuplicates.Find([new(Id(3), below, text, "B")], [old], threshold: 0.95);
        var otherWords = NearDuplicates.Find([new(Id(4), at, "Durable knowledge comes from distributed study", "B")], [old], threshold: 0.95);
        var withinImport = NearDuplicates.Find([new(Id(5), existing, text, "B"), new(Id(6), at, text + ".", "C")], [], threshold: 0.95);

        Assert.Single(atThreshold);
        Assert.Empty(belowThreshold);
        Assert.Empty(otherWords);
        Assert.Equal((Id(6), Id(5)), (withinImport.Single().NewId, withinImport.Single().ExistingId));
    }

    [Fact]
    public async Task TheGrouperJoinsSourcesThatShareAMeaningButNotTheirWords()
    {
        var picks = fixture.Set.Select((h, i) => (h, i))
            .Where(x => x.h.Topic is "learning" or "money" && x.i % 3 == 0).ToArray();
        var numbered = picks.Select((x, n) => new NumberedHighlight(n + 1,
            new Highlight { Text = x.h.Text, Source = new HighlightSource(x.h.Source) })).ToArray();

        var grouping = await new ThemeGrouper(fixture.Generator).GroupAsync(numbered);

        Assert.Equal("all-MiniLM-L6-v2", grouping.Method);
        Assert.Equal(numbered.Length, grouping.Groups.Sum(g => g.Count));
        var big = grouping.Groups.Where(g => g.Count >= 4).ToArray();
        Assert.NotEmpty(big);
        Assert.All(big, g => Assert.True(g.Select(n => picks[n - 1].h.Source).Distinct().Count() >= 2));
    }

    private static Guid Id(int n) => MiniLmFixture.IdOf(10_000 + n);

    private static EmbeddedHighlight H(int n, float[] v) => new(Id(n), v, $"text {n}", "S");
}
