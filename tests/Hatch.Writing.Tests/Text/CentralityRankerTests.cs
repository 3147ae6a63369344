using Hatch.Writing.Text;

namespace Hatch.Writing.Tests.Text;

public sealed class CentralityRankerTests
{
    private static readonly string[] Texts =
    [
        "The octopus has three hearts and blue blood.",
        "Deliberate practice with feedback builds skill.",
        "Feedback turns practice into skill, and deliberate practice needs a coach.",
        "A coach gives feedback so practice stays deliberate.",
        "Skill grows through practice, feedback and rest.",
        "Practice alone is not enough without feedback.",
    ];

    [Fact]
    public void APassageCloseToManyOthersOutranksAnOutlier()
    {
        var order = CentralityRanker.Rank(Texts);

        Assert.Equal(Texts.Length, order.Count);
        Assert.Equal(0, order[^1]);
        Assert.Equal(Enumerable.Range(0, Texts.Length), order.Order());
    }

    [Fact]
    public void BeyondTheCandidateCapTheCheapScoreStillPutsTheOutlierLast()
    {
        var stems = Texts.Select(t => (IReadOnlyList<string>)Tokenizer.Stems(t)).ToArray();
        var model = TfIdfModel.Fit(stems);
        var vectors = stems.Select(model.Vectorize).ToArray();

        var order = CentralityRanker.Rank(vectors, model.TermCount, candidateCap: 2);

        Assert.Equal(0, order[^1]);
        Assert.Equal(Enumerable.Range(0, Texts.Length), order.Order());
    }

    [Fact]
    public void RankingIsDeterministicAndHandlesEmptyAndIdenticalTexts()
    {
        string[] texts = ["", "same words here", "same words here", "the and of"];

        Assert.Equal(CentralityRanker.Rank(texts), CentralityRanker.Rank(texts));
        Assert.Empty(CentralityRanker.Rank([]));
        Assert.Equal([0], CentralityRanker.Rank(["only one"]));
    }

    [Fact]
    public void CosineOfAVectorWithItselfIsOne()
    {
        var model = TfIdfModel.Fit([Tokenizer.Stems("sleep memory brain"), Tokenizer.Stems("budget money")]);
        var v = model.Vectorize(Tokenizer.Stems("sleep memory brain"));

        Assert.Equal(1.0, v.Dot(v), 5);
        Assert.Equal(0.0, v.Dot(model.Vectorize(Tokenizer.Stems("budget money"))), 5);
    }
}
