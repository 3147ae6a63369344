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
    /// Each sentence checked against the highlights it cites, as the writer wrote it; null when no check ran (no
    /// embedding model, or the provider failed). Edits made later are not re-checked here.
    /// </summary>
    public GroundingReport? Grounding { get; init; }
}

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
