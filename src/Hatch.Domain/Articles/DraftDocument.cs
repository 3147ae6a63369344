using Hatch.Domain.Highlights;

namespace Hatch.Domain.Articles;

/// <summary>A highlight as it was given to the writer, with the number citations use for it.</summary>
public sealed record NumberedHighlight(int Number, Highlight Highlight);

/// <summary>How a draft was made, kept beside it so editors and operators can trust or question it.</summary>
public sealed record DraftProvenance
{
    /// <summary>"Extractive" or the LLM provider name.</summary>
    public required string Writer { get; init; }
    public string? Model { get; init; }
    public string? Template { get; init; }
    public string? TemplateHash { get; init; }
    public int HighlightsConsidered { get; init; }
    public int HighlightsUsed { get; init; }
    /// <summary>Highlights that were available but not given to the writer, and why.</summary>
    public int HighlightsLeftOut { get; init; }
    public string? LeftOutReason { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public long LatencyMs { get; init; }
    public int Attempts { get; init; } = 1;
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Each sentence checked against the highlights it cites; null when no check ran (no embedding model, or the
    /// provider failed). An edit re-checks the parts it touched and replaces this report.
    /// </summary>
    public GroundingReport? Grounding { get; init; }

    /// <summary>"Single" or "Planned" for a model writer (Hatch:Llm:Pipeline); null for the extractive writer and for drafts stored before it existed.</summary>
    public string? Pipeline { get; init; }

    /// <summary>
    /// Each step of a model pipeline in order (plan, write, check, repair, check), with its own tokens, latency and
    /// template; null for drafts stored before steps were recorded, which therefore still load.
    /// </summary>
    public IReadOnlyList<PipelineStep>? Steps { get; init; }
}

/// <summary>One step of drafting: a model call (with its repair rounds and retries) or a check that needs no model.</summary>
/// <param name="Name">plan, write, check, repair.</param>
/// <param name="Template">The prompt it rendered ("Hatch/Plan"), null for a step without a model.</param>
/// <param name="TemplateHash">SHA-256 of that prompt's skprompt.txt and config.json.</param>
/// <param name="Attempts">HTTP attempts, retries and repair rounds included; 0 for a step without a model.</param>
/// <param name="Note">What a person should know about the step: why a plan was dropped, what a repair changed.</param>
public sealed record PipelineStep(
    string Name,
    string? Template,
    string? TemplateHash,
    int PromptTokens,
    int CompletionTokens,
    long LatencyMs,
    int Attempts,
    string? Note = null);

/// <summary>The finished product of a hatch: the article, the numbered highlights it may cite, and how it was made.</summary>
public sealed record DraftDocument(
    Article Article,
    IReadOnlyList<NumberedHighlight> Highlights,
    DraftProvenance Provenance,
    string? AuthorName = null,
    string Language = "en")
{
    public NumberedHighlight? Find(int number) =>
        number >= 1 && number <= Highlights.Count && Highlights[number - 1].Number == number
            ? Highlights[number - 1]
            : Highlights.FirstOrDefault(h => h.Number == number);

    /// <summary>The highlights the article actually cites, in number order.</summary>
    public IEnumerable<NumberedHighlight> CitedHighlights()
    {
        var cited = Article.AllCitations().ToHashSet();
        return Highlights.Where(h => cited.Contains(h.Number));
    }
}
