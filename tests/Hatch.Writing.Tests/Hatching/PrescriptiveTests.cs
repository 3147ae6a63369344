using Hatch.Writing.Extractive;

namespace Hatch.Writing.Tests.Hatching;

public sealed class PrescriptiveTests
{
    [Theory]
    [InlineData("You should keep a regular sleep schedule.")]
    [InlineData("Avoid caffeine after noon.")]
    [InlineData("Spend less than you earn.")]
    [InlineData("It's important to review the budget monthly.")]
    [InlineData("So, write every morning before checking email.")]
    [InlineData("We never schedule meetings before ten.")]
    public void InstructionsAreRecognised(string sentence) => Assert.True(Prescriptive.IsPrescriptive(sentence));

    [Theory]
    [InlineData("Sleep is the foundation of health.")]
    [InlineData("Practice makes progress visible.")]
    [InlineData("He never came back to the village.")]
    [InlineData("Should we move the meeting?")]
    [InlineData("We should have left earlier.")]
    [InlineData("The octopus has three hearts.")]
    public void DescriptionsAreNotAdvice(string sentence) => Assert.False(Prescriptive.IsPrescriptive(sentence));

    [Theory]
    [InlineData("You should keep a regular sleep schedule, going to bed at the same hour.", "Keep a regular sleep schedule")]
    [InlineData("It's important to review your budget at the end of every single month without fail.", "Review your budget at the end")]
    [InlineData("Avoid caffeine after noon, because it keeps the brain alert.", "Avoid caffeine after noon")]
    public void AdviceTitlesAreTheFirstClauseInAtMostEightWords(string sentence, string title) =>
        Assert.Equal(title, Prescriptive.Title(sentence));
}
