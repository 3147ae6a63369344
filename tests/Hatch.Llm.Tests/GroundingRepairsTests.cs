using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.TestSupport;

namespace Hatch.Llm.Tests;

/// <summary>How the repair call's answers change the article: fix, cite, remove, and what is refused.</summary>
public sealed class GroundingRepairsTests
{
    private static readonly Article Draft = ArticleJson.Valid(1, 2, 3) with
    {
        Sections =
        [
            new ArticleSection("First thread", "The first thread of the argument [1]. Sleep adds 63 percent [1]. It ends here [1].", [1]),
            new ArticleSection("Second thread", "The second thread of the argument [2].", [2]),
        ],
    };

    private static readonly UnsupportedSentence Flag = new("sections[0]", "Sleep adds 63 percent [1].", [1], 0.2);

    private static string Reply(params SentenceRepair[] repairs) => JsonSerializer.Serialize(new GroundingRepair(repairs));

    [Fact]
    public void CiteReplacesTheSentencesMarkersAndAddsTheNumbersToTheSectionsList()
    {
        var outcome = GroundingRepairs.Apply(Reply(new SentenceRepair(1, "cite", "", [3, 2])), Draft, [Flag], new HashSet<int> { 1, 2, 3 });

        Assert.Equal("The first thread of the argument [1]. Sleep adds 63 percent [2, 3]. It ends here [1].", outcome.Article!.Sections[0].Body);
        Assert.Equal([1, 2, 3], outcome.Article.Sections[0].Citations);
        Assert.Equal("fixed 0, re-cited 1, removed 0, skipped 0 of 1", outcome.Note);
    }

    [Fact]
    public void RemoveDeletesTheSentenceWithoutLeavingADoubleSpace()
    {
        var outcome = GroundingRepairs.Apply(Reply(new SentenceRepair(1, "remove", "", [])), Draft, [Flag], new HashSet<int> { 1, 2, 3 });

        Assert.Equal("The first thread of the argument [1]. It ends here [1].", outcome.Article!.Sections[0].Body);
    }

    [Fact]
    public void AFixWithoutMarkersGetsItsCitationsBeforeTheFullStop()
    {
        var outcome = GroundingRepairs.Apply(Reply(new SentenceRepair(1, "fix", "Sleep helps memory.", [1])), Draft, [Flag], new HashSet<int> { 1, 2, 3 });

        Assert.Equal("The first thread of the argument [1]. Sleep helps memory [1]. It ends here [1].", outcome.Article!.Sections[0].Body);
    }

    [Theory]
    [InlineData(1, "fix", "Sleep helps memory [7].")]   // a highlight that was not sent
    [InlineData(2, "remove", "")]                       // no such sentence listed
    [InlineData(1, "rewrite", "Sleep helps memory [1].")] // not an action
    public void ARepairOutsideTheContractIsSkippedAndTheArticleIsUnchanged(int number, string action, string sentence)
    {
        var outcome = GroundingRepairs.Apply(Reply(new SentenceRepair(number, action, sentence, [])), Draft, [Flag], new HashSet<int> { 1, 2, 3 });

        Assert.Null(outcome.Article);
        Assert.Equal("fixed 0, re-cited 0, removed 0, skipped 1 of 1", outcome.Note);
    }
}
