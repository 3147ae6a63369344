using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Grounding;
using Microsoft.Extensions.Options;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class GroundingCheckerTests(MiniLmFixture fixture)
{
    private static readonly IReadOnlyList<NumberedHighlight> Highlights =
    [
        Numbered(1, "The Sleeping Brain", "Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake."),
        Numbered(2, "Practice That Lasts", "Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick."),
        Numbered(3, "Practice That Lasts", "Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming."),
    ];

    private GroundingChecker Checker(double threshold = GroundingOptions.DefaultThreshold) =>
        new(fixture.Generator, Options.Create(new GroundingOptions { Threshold = threshold }));

    private static Article Article(string sectionBody) => new(
        "What makes learning last",
        "Sleeping after study leaves students remembering about forty percent more [1].",
        [
            new ArticleSection("Effort beats comfort", sectionBody, [2]),
            new ArticleSection("Time is an ingredient", "Sessions spread over several days feel slower but last longer than cramming [3].", [3]),
        ],
        [new AdviceItem("Test yourself", "Pull answers from memory instead of rereading [2].", [2])],
        "Practice That Lasts and The Sleeping Brain point the same way.",
        1);

    [Fact]
    public async Task AStatisticTheHighlightsNeverMentionIsFlaggedWhereItStandsWithItsCitationAndScore()
    {
        var article = Article("Testing yourself beats rereading [2]. Self-testing raises exam scores by 63 percent [2].");

        var report = await Checker().CheckAsync(article, Highlights);

        var flag = Assert.Single(report.Unsupported);
        Assert.Equal("sections[0]", flag.Part);
        Assert.Equal("Self-testing raises exam scores by 63 percent [2].", flag.Sentence);
        Assert.Equal([2], flag.Citations);
        Assert.InRange(flag.Score, 0, GroundingOptions.DefaultThreshold);
        Assert.Equal(report.Checked - 1, report.Supported);
    }

    [Fact]
    public async Task AnArticleThatOnlyRestatesItsHighlightsHasNoFlags()
    {
        var report = await Checker().CheckAsync(Article("Testing yourself beats rereading, because pulling an answer from memory makes it stick [2]."), Highlights);

        Assert.Equal(5, report.Checked);
        Assert.Equal(5, report.Supported);
        Assert.Empty(report.Unsupported);
    }

    [Fact]
    public async Task ASentenceCitedToTheWrongHighlightIsFlagged()
    {
        var report = await Checker().CheckAsync(Article("Students who slept after learning recalled more the next day [3]."), Highlights);

        Assert.Equal("sections[0]", Assert.Single(report.Unsupported).Part);
    }

    [Fact]
    public async Task TheThresholdDecidesWhatCountsAsUnsupported()
    {
        var article = Article("Testing yourself beats rereading [2].");

        var strict = await Checker(threshold: 1.0).CheckAsync(article, Highlights);
        var lenient = await Checker(threshold: 0.0).CheckAsync(article, Highlights);

        Assert.NotEmpty(strict.Unsupported);
        Assert.Empty(lenient.Unsupported);
    }

    private static NumberedHighlight Numbered(int number, string source, string text) =>
        new(number, new Highlight { Text = text, Source = new HighlightSource(source) });
}
