using Hatch.Domain.Articles;
using Hatch.Writing.Grounding;

namespace Hatch.Writing.Tests.Grounding;

public sealed class ArticleSentencesTests
{
    private static Article Article(string overview, string body, string detail, string conclusion, IReadOnlyList<int>? sectionCitations = null) =>
        new("Title", overview,
            [new ArticleSection("First", "Opening claim [1].", [1]), new ArticleSection("Second", body, sectionCitations ?? [2, 3])],
            [new AdviceItem("Do it", detail, [4])],
            conclusion, 1);

    [Fact]
    public void EverySentenceIsNamedByThePartItStandsIn()
    {
        var article = Article("Sleep consolidates memory [1]. Testing beats rereading [2].", "Spacing works [3].", "Quiz yourself weekly.", "It all adds up.");

        var sentences = ArticleSentences.Of(article, [1, 2, 3, 4, 5]);

        Assert.Equal(["overview", "overview", "sections[0]", "sections[1]", "advice[0]", "conclusion"], sentences.Select(s => s.Part));
        Assert.Equal("Testing beats rereading [2].", sentences[1].Sentence);
    }

    [Fact]
    public void ASentenceWithoutCitationsIsHeldToWhatItsParagraphAndPartCiteAndTheOverviewAndConclusionToEveryHighlight()
    {
        var article = Article(
            "Sleep consolidates memory [1]. Both books agree.",
            "Spacing works [3]. So does mixing problems.\n\nA second paragraph with no markers.",
            "Quiz yourself weekly.",
            "It all adds up.");

        var sentences = ArticleSentences.Of(article, [1, 2, 3, 4, 5]).ToDictionary(s => s.Sentence);

        // The overview speaks for the whole reading.
        Assert.Equal([1, 2, 3, 4, 5], sentences["Both books agree."].Citations);
        Assert.False(sentences["Both books agree."].CitesItself);
        // In a section, a connective sentence joins what its paragraph and its section cite.
        Assert.Equal([2, 3], sentences["So does mixing problems."].Citations);
        Assert.Equal([2, 3], sentences["A second paragraph with no markers."].Citations);
        Assert.Equal([4], sentences["Quiz yourself weekly."].Citations);
        Assert.Equal([1, 2, 3, 4, 5], sentences["It all adds up."].Citations);
    }

    [Fact]
    public void AMarkerAfterAClosingQuoteBelongsToTheQuotedSentence()
    {
        var sentences = ArticleSentences.Split("\"Write every morning.\" [2] Then edit in the afternoon [3].");

        Assert.Equal(["\"Write every morning.\" [2]", "Then edit in the afternoon [3]."], sentences);
    }

    [Fact]
    public void ASentenceCitingSeveralHighlightsIsHeldToAllOfThem()
    {
        var article = Article("Sleep and testing both decide what stays [1, 4], as does spacing [2].", "Body [2].", "Detail.", "End.");

        var first = ArticleSentences.Of(article, [1, 2, 3, 4])[0];

        Assert.Equal([1, 2, 4], first.Citations);
        Assert.True(first.CitesItself);
        Assert.Equal("Sleep and testing both decide what stays, as does spacing.", ArticleSentences.WithoutMarkers(first.Sentence));
    }
}
