using System.Text.Json;
using Hatch.Domain.Articles;

namespace Hatch.TestSupport;

/// <summary>Model replies for tests and load harnesses: a valid Article as JSON, and ways to spoil one.</summary>
public static class ArticleJson
{
    /// <summary>A valid Article citing the given highlight numbers (at least one).</summary>
    public static Article Valid(params int[] cite)
    {
        if (cite.Length == 0) cite = [1];
        int At(int i) => cite[i % cite.Length];
        return new Article(
            Title: "What the highlights add up to",
            Overview: $"An overview that rests on the passages [{At(0)}].",
            Sections:
            [
                new ArticleSection("First thread", $"The first thread of the argument [{At(0)}].", [At(0)]),
                new ArticleSection("Second thread", "The second thread of the argument.", [At(1)]),
            ],
            Advice:
            [
                new AdviceItem("Do the first thing", "Because the first passage says so.", [At(0)]),
                new AdviceItem("Do the second thing", "Because the second passage says so.", [At(1)]),
                new AdviceItem("Do the third thing", "Because the third passage says so.", [At(2)]),
            ],
            Conclusion: "A conclusion that ties the threads together.",
            ReadingMinutes: 1);
    }

    public static string Serialize(Article article) => JsonSerializer.Serialize(article);

    public static string ValidJson(params int[] cite) => Serialize(Valid(cite));
}
