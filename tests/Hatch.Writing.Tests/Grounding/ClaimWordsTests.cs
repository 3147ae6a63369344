using Hatch.Writing.Grounding;

namespace Hatch.Writing.Tests.Grounding;

public sealed class ClaimWordsTests
{
    [Theory]
    [InlineData("Students remembered about forty percent more.", "40")]
    [InlineData("Index funds beat 92% of managers.", "92")]
    [InlineData("It costs $2,400 a year.", "2400")]
    [InlineData("Missing ten days can halve the return.", "10,1/2")]
    [InlineData("It rose 1.5 degrees.", "1.5")]
    [InlineData("Three to six months of expenses.", "3,6")]
    [InlineData("Forty-five minutes.", "45")]
    public void NumbersAreReadAsTheyAreWrittenInDigitsOrWords(string text, string expected)
    {
        Assert.Equal(expected.Split(',').Order(), ClaimWords.Numbers(text).Order());
    }

    [Theory]
    [InlineData("Across 12 highlights from 4 sources, your reading returns to sleep (3 highlights) and focus (2).")]
    [InlineData("Sleep consolidates memory [12].")]
    public void CountsOfTheReadingAndCitationMarkersAreNotStatistics(string text)
    {
        Assert.Empty(ClaimWords.Numbers(text));
    }

    [Theory]
    [InlineData("Caffeine in the late afternoon does not affect deep sleep.", "Caffeine in the late afternoon cuts the amount of deep sleep.")]
    [InlineData("Diversification raises risk.", "Owning many assets lowers risk.")]
    [InlineData("Methane traps less heat than carbon dioxide.", "Methane traps far more heat than carbon dioxide.")]
    [InlineData("Ice baths boost muscle growth.", "Ice baths may blunt muscle growth.")]
    public void SayingTheOppositeOfThePassageIsAReversal(string sentence, string passage)
    {
        Assert.True(ClaimWords.Reverses(sentence, passage));
    }

    [Theory]
    [InlineData("Heavy lifting is not only for the young.", "Lifting heavy weights preserves bone density in older adults.")]
    [InlineData("Experience is not expertise: repetition without feedback does not make people better.", "Years of repetition without feedback produce experience, not expertise.")]
    [InlineData("Spacing sessions lowers forgetting.", "Spacing sessions lowers forgetting.")]
    public void AParaphraseKeepingThePassagesDirectionIsNoReversal(string sentence, string passage)
    {
        Assert.False(ClaimWords.Reverses(sentence, passage));
    }

    [Fact]
    public void WordsAboutTheReadingCarryNoClaim()
    {
        Assert.Equal(["sleep", "heal"], ClaimWords.ContentStems("The author argues in both books and the highlights agree: sleep heals."));
    }
}
