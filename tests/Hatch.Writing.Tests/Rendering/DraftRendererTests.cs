using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.TestSupport;
using Hatch.Writing.Rendering;

namespace Hatch.Writing.Tests.Rendering;

public sealed class DraftRendererTests
{
    private static DraftDocument Hostile()
    {
        var highlight = new HighlightBuilder()
            .Text("<script>alert(1)</script> and [x](javascript:alert(2))")
            .From("Evil <b>Book</b>", "Mallory", "javascript:alert(3)")
            .Build();
        var safe = new HighlightBuilder().Text("A plain passage.").From("Good Book", url: "https://example.com/good").Build();
        var article = new Article(
            "# Injected heading",
            "Overview with <script>alert(4)</script> [1].",
            [
                new ArticleSection("Links", "See [x](javascript:alert(5)) here [1].", [1]),
                new ArticleSection("Plain", "Nothing odd.", [2]),
            ],
            [new AdviceItem("Be careful", "Read <img src=x onerror=alert(6)> twice.", [1])],
            "Done.",
            1);
        return new DraftDocument(article, [new NumberedHighlight(1, highlight), new NumberedHighlight(2, safe)],
            new DraftProvenance { Writer = "Extractive", CreatedAt = FixedTime.Default.GetUtcNow() });
    }

    [Fact]
    public void MarkdownEscapesHtmlLinksAndLeadingHeadings()
    {
        var markdown = DraftRenderer.Markdown(Hostile());

        Assert.DoesNotContain("<script>", markdown);
        Assert.Contains("\\<script\\>", markdown);
        Assert.DoesNotContain("](javascript:", markdown);
        Assert.StartsWith("# \\# Injected heading\n", markdown);
        Assert.DoesNotMatch(@"(?<!\\)<img", markdown);
        Assert.Contains("\\<img", markdown);
    }

    [Fact]
    public void MarkdownAppendsTheCitationOnlyWhenTheBodyDoesNotCite()
    {
        var markdown = DraftRenderer.Markdown(Hostile());

        Assert.Contains("Nothing odd. [2]", markdown);
        Assert.DoesNotContain("here [1]. [1]", markdown);
    }

    [Fact]
    public void HtmlEncodesUntrustedTextAndDropsJavascriptUrls()
    {
        var html = DraftRenderer.Html(Hostile());

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>Book</b>", html);
        Assert.DoesNotContain("href=\"javascript", html);
        Assert.Contains("href=\"https://example.com/good\"", html);
    }

    [Fact]
    public void JsonRoundTripsTheArticleWithNumericCitations()
    {
        var draft = Hostile();
        using var json = JsonDocument.Parse(DraftRenderer.Json(draft));
        var root = json.RootElement;

        Assert.Equal(JsonValueKind.Number, root.GetProperty("article").GetProperty("sections")[0].GetProperty("citations")[0].ValueKind);
        Assert.Equal(1, root.GetProperty("highlights")[0].GetProperty("number").GetInt32());
        Assert.Equal([1, 2], root.GetProperty("sources").EnumerateArray().Select(e => e.GetInt32()));

        var article = root.GetProperty("article").Deserialize<Article>(DraftRenderer.JsonOptions)!;
        Assert.Equal(draft.Article.Title, article.Title);
        Assert.Equal(draft.Article.Sections.Select(s => s.Citations), article.Sections.Select(s => s.Citations));
        Assert.Equal(draft.Article.Advice[0].Detail, article.Advice[0].Detail);
    }

    [Theory]
    [InlineData("Block two mornings a week", "Block two mornings a week.", "1. **Block two mornings a week.** [1]")]
    [InlineData("Do this at 5pm", "Do this at 5pm, before shutting the laptop.", "1. **Do this at 5pm**, before shutting the laptop. [1]")]
    [InlineData("Protect mornings", "Keep the first hour free of meetings.", "1. **Protect mornings**: Keep the first hour free of meetings. [1]")]
    public void AdviceDoesNotRepeatATitleThatOpensItsDetail(string title, string detail, string expectedLine)
    {
        var draft = Hostile();
        draft = draft with { Article = draft.Article with { Advice = [new AdviceItem(title, detail, [1])] } };

        var markdown = DraftRenderer.Markdown(draft);

        Assert.Contains(expectedLine + "\n", markdown.Replace("\r", ""));
    }

    [Fact]
    public void SourcesListHighlightsCitedOnlyInlineInTheOverview()
    {
        var draft = Hostile();
        draft = draft with { Article = draft.Article with { Sections = [new ArticleSection("Plain", "Nothing odd.", [1])], Overview = "Only here [2]." } };

        Assert.Contains("- [2] \"A plain passage.\"", DraftRenderer.Markdown(draft));
    }
}
