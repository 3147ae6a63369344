using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Text;

namespace Hatch.Writing.Hatching;

/// <summary>Which of the reader's highlights a hatch may use.</summary>
public sealed record SelectionOptions
{
    public const int DefaultMaxHighlights = 40;

    /// <summary>The most highlights given to the writer; the most central are kept.</summary>
    public int MaxHighlights { get; init; } = DefaultMaxHighlights;

    /// <summary>Only highlights carrying this tag (case-insensitive).</summary>
    public string? Tag { get; init; }

    /// <summary>Only highlights made on or after this instant (highlights without a date are kept out).</summary>
    public DateTimeOffset? Since { get; init; }
}

/// <summary>The highlights chosen for a hatch, numbered for citation, and what was left out.</summary>
public sealed record Selection(IReadOnlyList<NumberedHighlight> Chosen, int Considered, int LeftOut, string? LeftOutReason);

/// <summary>
/// Filters, de-duplicates and ranks highlights, then keeps the most central ones that fit an article.
/// The ranking is the one the extractive writer uses, so both writers spend their room on the same passages.
/// </summary>
public sealed class HighlightSelector
{
    public Selection Select(IEnumerable<Highlight> highlights, SelectionOptions options) => Select(highlights, options, null);

    /// <param name="vectorsByContentHash">
    /// Stored embeddings by <see cref="Highlight.ContentHash"/>. When every candidate has one, centrality is by
    /// meaning (so the budget goes to the passages the chosen theme is most about); otherwise by shared words.
    /// </param>
    public Selection Select(IEnumerable<Highlight> highlights, SelectionOptions options, IReadOnlyDictionary<string, float[]>? vectorsByContentHash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHighlights, 1);
        var candidates = highlights
            .Where(h => !string.IsNullOrWhiteSpace(h.Text))
            .Where(h => options.Tag is null || h.Tags.Contains(options.Tag, StringComparer.OrdinalIgnoreCase))
            .Where(h => options.Since is null || (h.HighlightedAt is { } at && at >= options.Since))
            .DistinctBy(h => h.ContentHash)
            .ToArray();

        IReadOnlyList<Highlight> chosen = candidates;
        if (candidates.Length > options.MaxHighlights)
        {
            var order = vectorsByContentHash is not null && candidates.All(h => vectorsByContentHash.ContainsKey(h.ContentHash))
                ? CentralityRanker.Rank(candidates.Select(h => vectorsByContentHash[h.ContentHash]).ToArray())
                : CentralityRanker.Rank(candidates.Select(h => h.Text).ToArray());
            // Keep the most central, then restore reading order (source, then position) so numbering is natural.
            chosen = order.Take(options.MaxHighlights).Order().Select(i => candidates[i]).ToArray();
        }

        var leftOut = candidates.Length - chosen.Count;
        return new Selection(
            chosen.Select((h, i) => new NumberedHighlight(i + 1, h)).ToArray(),
            Considered: candidates.Length,
            LeftOut: leftOut,
            LeftOutReason: leftOut > 0
                ? $"{leftOut} of {candidates.Length} highlights were left out: an article uses at most {options.MaxHighlights}, the most central kept"
                : null);
    }
}
