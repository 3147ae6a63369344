using Hatch.Domain.Articles;

namespace Hatch.Domain.Tests.Articles;

public sealed class ArticleValidatorTests
{
    private static Article Valid() => new(
        "Practice beats talent",
        "Deliberate practice [1] matters.",
        [new ArticleSection("Practice", "Practice deliberately [1].", [1]), new ArticleSection("Rest", "Sleep consolidates it.", [2])],
        [new AdviceItem("Practise daily", "Do it.", [1]), new AdviceItem("Sleep", "Rest.", [2]), new AdviceItem("Review", "Look back.", [1, 2])],
        "Both matter.",
        3);

    [Fact]
    public void AValidArticleHasNoErrors() => Assert.Empty(ArticleValidator.Validate(Valid(), 2));

    [Fact]
    public void ACitationOutsideTheInputsIsNamedWithItsSection()
    {
        var article = Valid() with { Sections = [new ArticleSection("Practice", "Text.", [1]), new ArticleSection("Rest", "More.", [7])] };
        var error = Assert.Single(ArticleValidator.Validate(article, 2));
        Assert.Contains("sections[1] \"Rest\"", error);
        Assert.Contains("[7]", error);
    }

    [Fact]
    public void AnInlineCitationMustBeListedAndInRange()
    {
        var article = Valid() with { Sections = [new ArticleSection("Practice", "Text [2] and [9].", [1]), Valid().Sections[1]] };
        var errors = ArticleValidator.Validate(article, 2);
        Assert.Contains(errors, e => e.Contains("[9] inline, but only highlights 1–2"));
        Assert.Contains(errors, e => e.Contains("[2] inline but does not list it"));
    }

    [Fact]
    public void SectionAndAdviceCountsAreChecked()
    {
        var article = Valid() with { Sections = [Valid().Sections[0]], Advice = [] };
        var errors = ArticleValidator.Validate(article, 2);
        Assert.Contains(errors, e => e.StartsWith("sections: expected 2–6"));
        Assert.Contains(errors, e => e.StartsWith("advice: expected 3 advice items, got 0"));
    }

    [Fact]
    public void AModelIsHeldToExactlyThreeAdviceItems()
    {
        var four = Valid() with { Advice = [.. Valid().Advice, new AdviceItem("Do one more thing", "Because.", [1])] };
        Assert.Contains(ArticleValidator.Validate(four, 2), e => e == "advice: expected 3 advice items, got 4");
        Assert.Empty(ArticleValidator.Validate(Valid(), 2));
    }

    [Fact]
    public void AnUncitedAdviceItemIsRejected()
    {
        var article = Valid() with { Advice = [.. Valid().Advice.Take(2), new AdviceItem("Guess", "Made up.", [])] };
        Assert.Contains(ArticleValidator.Validate(article, 2), e => e.Contains("advice[2] \"Guess\": must cite at least one highlight"));
    }
}
