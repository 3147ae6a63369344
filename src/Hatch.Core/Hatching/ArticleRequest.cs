using Hatch.Core.Domain;

namespace Hatch.Core.Hatching;

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

/// <summary>The numbered highlights a writer drafts from. Numbers run 1..n in the order given.</summary>
public sealed record ArticleRequest(IReadOnlyList<NumberedHighlight> Highlights, ArticleOptions Options)
{
    /// <summary>
    /// Stored embeddings (current model) by content hash. A writer that groups by meaning uses them instead of
    /// embedding the passages again; missing entries make it embed as usual.
    /// </summary>
    public IReadOnlyDictionary<string, float[]>? VectorsByContentHash { get; init; }

    public static ArticleRequest From(IReadOnlyList<Highlight> highlights, ArticleOptions? options = null) =>
        new(highlights.Select((h, i) => new NumberedHighlight(i + 1, h)).ToArray(), options ?? new ArticleOptions());
}

/// <summary>A writer's output: the article and what the writer knows of how it was made.</summary>
public sealed record WrittenArticle(Article Article, DraftProvenance Provenance);

/// <summary>
/// The one seam in the pipeline with two real implementations: the offline extractive writer and the
/// Semantic Kernel writer. Everything else (selection, validation, rendering) is shared.
/// </summary>
public interface IArticleWriter
{
    /// <summary>"Extractive" or the provider's name; recorded in provenance.</summary>
    string Name { get; }

    Task<WrittenArticle> WriteAsync(ArticleRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The counts this writer is held to for <paramref name="highlightCount"/> inputs. A model is held to the
    /// full contract; the extractive writer cannot invent advice that the highlights do not contain.
    /// </summary>
    ArticleRules RulesFor(int highlightCount) => ArticleRules.Strict;
}
