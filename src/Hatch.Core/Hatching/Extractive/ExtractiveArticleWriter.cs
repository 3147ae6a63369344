using Hatch.Core.Domain;

namespace Hatch.Core.Hatching.Extractive;

/// <summary>
/// Drafts an article offline from the highlights' own sentences: themes by lexical clustering, the overview
/// by LexRank, advice from sentences and notes that already prescribe something. Same input, same output.
/// </summary>
public sealed class ExtractiveArticleWriter(TimeProvider time) : IArticleWriter
{
    public const string WriterName = "Extractive";

    public string Name => WriterName;

    /// <summary>
    /// The extractive writer cannot invent advice the highlights do not contain, and one highlight makes one
    /// theme, so it is held to relaxed counts: sections min(2, n)..6, advice 0..7.
    /// </summary>
    public ArticleRules RulesFor(int highlightCount) =>
        new(Math.Min(Article.MinSections, highlightCount), Article.MaxSections, 0, Article.MaxAdvice);

    public Task<WrittenArticle> WriteAsync(ArticleRequest request, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var (article, leftOut) = new ExtractiveComposer(request, cancellationToken).Compose();
        var provenance = new DraftProvenance
        {
            Writer = WriterName,
            Model = null,
            Attempts = 1,
            HighlightsConsidered = request.Highlights.Count,
            HighlightsUsed = article.AllCitations().Count,
            LeftOutReason = leftOut,
            LatencyMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            CreatedAt = time.GetUtcNow(),
        };
        return Task.FromResult(new WrittenArticle(article, provenance));
    }
}
