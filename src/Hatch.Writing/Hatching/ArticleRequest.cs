using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;

namespace Hatch.Writing.Hatching;

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

    /// <summary>
    /// One attempt to fix, re-cite or remove the sentences the grounding check found unsupported; null when this
    /// writer does not repair (the extractive writer, a model under Pipeline Single). The pipeline re-checks the
    /// result, and whatever is still unsupported stays in the draft, flagged.
    /// </summary>
    Task<GroundingRepairResult?> RepairGroundingAsync(GroundingRepairRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult<GroundingRepairResult?>(null);
}

/// <summary>
/// The sentences of a checked draft that the highlights they cite do not support, for a writer that can repair them
/// (a model under Hatch:Llm:Pipeline Planned). Numbers are the draft's, after renumbering.
/// </summary>
/// <param name="Spent">Time the writer already used for this draft: the repair gets what is left of its deadline.</param>
public sealed record GroundingRepairRequest(
    Article Article, IReadOnlyList<NumberedHighlight> Highlights, IReadOnlyList<UnsupportedSentence> Unsupported, ArticleOptions Options, TimeSpan Spent);

/// <summary>The repaired article (null when nothing usable came back) and the step as provenance records it.</summary>
public sealed record GroundingRepairResult(Article? Article, PipelineStep Step);
