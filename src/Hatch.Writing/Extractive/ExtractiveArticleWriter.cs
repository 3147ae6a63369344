using Hatch.Domain.Articles;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Drafts an article offline from the highlights' own sentences: themes by meaning when an embedding model is
/// configured (by shared words otherwise), the overview by LexRank, advice from sentences and notes that already
/// prescribe something. Same input, same output.
/// </summary>
public sealed partial class ExtractiveArticleWriter(
    TimeProvider time,
    IEmbeddingGenerator<string, Embedding<float>>? embeddings = null,
    ILogger<ExtractiveArticleWriter>? logger = null) : IArticleWriter
{
    public const string WriterName = "Extractive";

    public string Name => WriterName;

    /// <summary>From this many quotable highlights on, the article has at least two sections of two.</summary>
    public const int FewestForTwoSections = ExtractiveComposer.FewestForTwoSections;

    /// <summary>
    /// The extractive writer cannot invent advice the highlights do not contain, and a section rests on at least two
    /// quotable highlights, so it is held to relaxed counts: one to six sections (it writes two or more whenever
    /// the highlights allow; passages with markup or dangling openers cannot be quoted, so the count alone cannot
    /// promise two), advice 0..3. It copies sentences verbatim, so a link in the article is one the reader highlighted.
    /// </summary>
    public ArticleRules RulesFor(int highlightCount) =>
        new(Math.Min(1, highlightCount), Article.MaxSections, 0, ExtractiveComposer.MaxAdvice) { MayQuoteHighlightLinks = true };

    /// <summary>
    /// What the extractive writer says when asked for a language other than the highlights': it copies the reader's
    /// sentences, so it cannot translate them. Null when the languages agree or the highlights' language is unclear.
    /// </summary>
    public static string? LanguageNotice(string? requested, IEnumerable<string> highlightTexts)
    {
        var wanted = LanguageGuess.Normalize(requested);
        var written = LanguageGuess.Guess(highlightTexts);
        if (written is null || wanted == written || string.IsNullOrWhiteSpace(requested)) return null;
        return $"The extractive writer cannot translate: this article is in {LanguageGuess.NameOf(written)}, the language of your highlights, not in {LanguageGuess.NameOf(requested!.Trim())} as asked.";
    }

    public async Task<WrittenArticle> WriteAsync(ArticleRequest request, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var composer = new ExtractiveComposer(request, cancellationToken);
        var vectors = StoredVectors(request, composer.HashesRead) ?? await EmbedAsync(composer.TextsRead, cancellationToken);
        var (article, leftOut) = await composer.ComposeAsync(vectors, vectors is null ? null : EmbedAsync);
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
        return new WrittenArticle(article, provenance);
    }

    /// <summary>The caller's stored vectors when they cover every passage read, so a hatch does not embed its highlights again.</summary>
    private float[][]? StoredVectors(ArticleRequest request, IReadOnlyList<string> hashes)
    {
        if (LexicalEmbeddingGenerator.IsLexical(embeddings) || hashes.Count < 2 || request.VectorsByContentHash is not { } stored) return null;
        var vectors = new float[hashes.Count][];
        for (var i = 0; i < hashes.Count; i++)
            if (!stored.TryGetValue(hashes[i], out vectors[i]!)) return null;
        return vectors;
    }

    /// <summary>
    /// Vectors for grouping by meaning, or null for the lexical grouping: when no model is configured (None), or
    /// when a remote provider fails, since an offline draft grouped by words beats no draft at all.
    /// </summary>
    private async Task<float[][]?> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (LexicalEmbeddingGenerator.IsLexical(embeddings) || texts.Count < 2) return null;
        try
        {
            return await embeddings!.EmbedAsync(texts, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEmbeddingFailed(logger ?? NullLogger<ExtractiveArticleWriter>.Instance, e, texts.Count);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding {Count} highlights failed; the extractive writer grouped them by shared words instead")]
    private static partial void LogEmbeddingFailed(ILogger logger, Exception exception, int count);
}
