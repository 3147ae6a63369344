using Hatch.Domain.Articles;
using Hatch.Writing.Text;
using Microsoft.Extensions.AI;

namespace Hatch.Writing.Themes;

/// <summary>Highlight numbers grouped by theme: each group most central first, the largest group first.</summary>
/// <param name="Method">"MiniLM" (or the provider's name) when grouped by embeddings, "lexical" when by shared words.</param>
public sealed record ThemeGrouping(IReadOnlyList<IReadOnlyList<int>> Groups, string Method);

/// <summary>
/// Groups the highlights of one article into themes, by meaning when an embedding model is configured and by
/// shared words otherwise. Both writers use it: the extractive writer for its sections, the model writer to tell
/// its prompt which highlights belong together.
/// </summary>
public sealed class ThemeGrouper(IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
{
    public const string LexicalMethod = "lexical";

    /// <summary>True when this grouper has more than word overlap to go on.</summary>
    public bool UsesEmbeddings => !LexicalEmbeddingGenerator.IsLexical(embeddings);

    public async Task<ThemeGrouping> GroupAsync(
        IReadOnlyList<NumberedHighlight> highlights, int maxThemes = 5, CancellationToken cancellationToken = default)
    {
        var ordered = highlights.Where(h => !string.IsNullOrWhiteSpace(h.Highlight.Text)).OrderBy(h => h.Number).ToArray();
        var texts = ordered.Select(h => h.Highlight.Text).ToArray();
        float[][]? vectors = UsesEmbeddings ? await embeddings!.EmbedAsync(texts, cancellationToken).ConfigureAwait(false) : null;
        return Group(ordered.Select(h => h.Number).ToArray(), texts, vectors, maxThemes, vectors is null ? LexicalMethod : embeddings!.ModelIdOf());
    }

    /// <summary>
    /// The grouping for precomputed vectors (stored embeddings), or by words when <paramref name="vectors"/> is null.
    /// <paramref name="numbers"/>, <paramref name="texts"/> and <paramref name="vectors"/> are parallel.
    /// </summary>
    public static ThemeGrouping Group(IReadOnlyList<int> numbers, IReadOnlyList<string> texts, IReadOnlyList<float[]>? vectors, int maxThemes = 5, string? method = null)
    {
        var (groups, _) = vectors is null ? ClusterLexical(texts, maxThemes) : Cluster(vectors, maxThemes);
        return new ThemeGrouping(groups.Select(g => (IReadOnlyList<int>)g.Select(i => numbers[i]).ToArray()).ToArray(), method ?? (vectors is null ? LexicalMethod : "embeddings"));
    }

    /// <summary>
    /// Indices grouped by embedding cosine: k from 2 to <paramref name="maxThemes"/> by silhouette, groups ordered
    /// by size then by their most central member, members most central first. Also returns the overall centrality.
    /// </summary>
    public static (int[][] Groups, int[] Centrality) Cluster(IReadOnlyList<float[]> vectors, int maxThemes)
    {
        var n = vectors.Count;
        if (n == 0) return ([], []);
        var centrality = CentralityRanker.Rank(vectors);
        var groups = ThemeClustering.Cluster(vectors, minK: Math.Min(2, n), maxK: Math.Min(maxThemes, n), centrality[0]);
        return (Order(groups, centrality), centrality);
    }

    /// <summary>The same over TF-IDF vectors of the texts: what the writers did before embeddings.</summary>
    public static (int[][] Groups, int[] Centrality) ClusterLexical(IReadOnlyList<string> texts, int maxThemes)
    {
        var n = texts.Count;
        if (n == 0) return ([], []);
        var stems = texts.Select(t => (IReadOnlyList<string>)Tokenizer.Stems(t)).ToArray();
        var model = TfIdfModel.Fit(stems);
        var vectors = stems.Select(model.Vectorize).ToArray();
        var centrality = CentralityRanker.Rank(vectors, model.TermCount);
        var groups = ThemeClustering.Cluster(vectors, model.TermCount, minK: Math.Min(2, n), maxK: Math.Min(maxThemes, n), centrality[0]);
        return (Order(groups, centrality), centrality);
    }

    private static int[][] Order(int[][] groups, int[] centrality)
    {
        var rankOf = new int[centrality.Length];
        for (var r = 0; r < centrality.Length; r++) rankOf[centrality[r]] = r;
        return groups
            .OrderByDescending(g => g.Length)
            .ThenBy(g => g.Min(i => rankOf[i]))
            .Select(g => g.OrderBy(i => rankOf[i]).ToArray())
            .ToArray();
    }
}
