using Hatch.Writing.Text;

namespace Hatch.Writing.Tests.Text;

public sealed class SentenceSplitterTests
{
    [Theory]
    [InlineData("Dr. Walker studies sleep. He found e.g. that naps help.", new[] { "Dr. Walker studies sleep.", "He found e.g. that naps help." })]
    [InlineData("The rate rose 3.5 percent. Then it fell.", new[] { "The rate rose 3.5 percent.", "Then it fell." })]
    [InlineData("She said, \"Stop.\" Then she left.", new[] { "She said, \"Stop.\"", "Then she left." })]
    [InlineData("J. K. Rowling wrote it. Fine.", new[] { "J. K. Rowling wrote it.", "Fine." })]
    [InlineData("Wait... What happened? Nothing!", new[] { "Wait...", "What happened?", "Nothing!" })]
    [InlineData("U.S. troops arrived. Others left.", new[] { "U.S. troops arrived.", "Others left." })]
    [InlineData("We met approx. ten people, i.e. Mr. Smith and friends.", new[] { "We met approx. ten people, i.e. Mr. Smith and friends." })]
    [InlineData("A paragraph without a stop\n\nand the next one", new[] { "A paragraph without a stop", "and the next one" })]
    [InlineData("  Spaces   and\nline breaks  collapse.  ", new[] { "Spaces and line breaks collapse." })]
    public void SentencesSplitWhereAReaderWould(string text, string[] expected) =>
        Assert.Equal(expected, SentenceSplitter.Split(text));

    [Theory]
    [InlineData("")]
    [InlineData("   \n ")]
    [InlineData(null)]
    public void BlankTextHasNoSentences(string? text) => Assert.Empty(SentenceSplitter.Split(text));

    [Fact]
    public void StemsFoldInflections()
    {
        Assert.Equal(Stemmer.Stem("practice"), Stemmer.Stem("practicing"));
        Assert.Equal(Stemmer.Stem("practice"), Stemmer.Stem("practices"));
        Assert.Equal(Stemmer.Stem("plan"), Stemmer.Stem("planning"));
        Assert.Equal(Stemmer.Stem("study"), Stemmer.Stem("studies"));
        Assert.NotEqual(Stemmer.Stem("focus"), Stemmer.Stem("focal"));
    }

    [Fact]
    public void StopwordsCarryNoStem() =>
        Assert.Equal(["deliberat", "practic", "beat", "talent"], Tokenizer.Stems("Deliberate practice beats the talent you've got."));
}
