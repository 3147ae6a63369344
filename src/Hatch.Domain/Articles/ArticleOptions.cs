namespace Hatch.Domain.Articles;

/// <summary>What the reader asked for, beyond the highlights themselves.</summary>
public sealed record ArticleOptions
{
    /// <summary>Shown as "Hatched by NAME" and given to the model as the reader's name.</summary>
    public string? AuthorName { get; init; }

    /// <summary>A style preset: essay, briefing or newsletter.</summary>
    public string Style { get; init; } = "essay";

    /// <summary>An IETF language tag or a language name for the article's language.</summary>
    public string Language { get; init; } = "en";

    /// <summary>short, medium or long.</summary>
    public string Length { get; init; } = "medium";

    /// <summary>
    /// The prompt a model writer uses: <c>Article</c> for a hatch, <c>Digest</c> for a scheduled digest. Both ask for
    /// the same Article shape, so validation and rendering do not care; the extractive writer ignores it.
    /// </summary>
    public string Prompt { get; init; } = Prompts.Article;

    /// <summary>For a digest, how its period reads in the prompt: "daily", "weekly" or "periodic".</summary>
    public string? Period { get; init; }

    public static class Prompts
    {
        public const string Article = "Article";
        public const string Digest = "Digest";
    }

    public static readonly IReadOnlyList<string> Styles = ["essay", "briefing", "newsletter"];
    public static readonly IReadOnlyList<string> Lengths = ["short", "medium", "long"];
}
