using Hatch.Writing.Text;

namespace Hatch.Writing.Themes;

/// <summary>One search result: the fused score and where it stood in each ranking (null when absent from it).</summary>
public sealed record SearchHit(Guid Id, double Score, int? SemanticRank, int? KeywordRank, float Cosine);

/// <summary>
/// Search over one reader's highlights by meaning, fused with the database's keyword ranking (PostgreSQL full-text
/// or SQLite FTS5, computed by the caller) through reciprocal rank fusion. RRF needs no score calibration between
/// a cosine and a ts_rank, and a passage both rankings like rises to the top.
/// </summary>
public static class SemanticSearch
{
    /// <summary>The usual RRF constant: damps the gap between rank 1 and rank 2 so one ranking cannot dominate.</summary>
    public const int RrfK = 60;

    /// <summary>Below this cosine a passage is not about the query at all; it joins only through the keyword ranking.</summary>
    public const float DefaultMinCosine = 0.2f;

    public static IReadOnlyList<SearchHit> Rank(
        float[] queryVector,
        IReadOnlyList<EmbeddedHighlight> library,
        IReadOnlyList<Guid> keywordRanking,
        int limit = 20,
        int semanticCandidates = 50,
        float minCosine = DefaultMinCosine)
    {
        if (limit <= 0) return [];
        var cosines = new float[library.Count];
        var indexOf = new Dictionary<Guid, int>(library.Count);
        for (var i = 0; i < library.Count; i++)
        {
            cosines[i] = VectorMath.Cosine(queryVector, library[i].Vector);
            indexOf.TryAdd(library[i].Id, i);
        }

        var semantic = VectorMath.TopK(cosines, semanticCandidates, i => cosines[i] >= minCosine)
            .Select(i => (library[i].Id, cosines[i])).ToArray();
        return Fuse(semantic, keywordRanking, id => indexOf.TryGetValue(id, out var i) ? cosines[i] : 0f, limit);
    }

    /// <summary>
    /// Reciprocal rank fusion of a semantic ranking (best first, already cut at the candidates and the minimum
    /// cosine) with the keyword ranking; <paramref name="cosineOf"/> gives a keyword-only hit its cosine for display.
    /// </summary>
    public static IReadOnlyList<SearchHit> Fuse(
        IReadOnlyList<(Guid Id, float Cosine)> semanticRanking, IReadOnlyList<Guid> keywordRanking, Func<Guid, float> cosineOf, int limit)
    {
        if (limit <= 0) return [];
        var fused = new Dictionary<Guid, (double Score, int? Semantic, int? Keyword)>();
        for (var r = 0; r < semanticRanking.Count; r++)
        {
            var id = semanticRanking[r].Id;
            if (fused.ContainsKey(id)) continue;
            fused[id] = (1.0 / (RrfK + r + 1), r + 1, null);
        }
        var keywordRank = 0;
        foreach (var id in keywordRanking.Distinct())
        {
            keywordRank++;
            var (score, sem, _) = fused.GetValueOrDefault(id);
            fused[id] = (score + 1.0 / (RrfK + keywordRank), sem, keywordRank);
        }

        return fused
            .Select(kv => new SearchHit(kv.Key, kv.Value.Score, kv.Value.Semantic, kv.Value.Keyword, cosineOf(kv.Key)))
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.SemanticRank ?? int.MaxValue)
            .ThenBy(h => h.KeywordRank ?? int.MaxValue)
            .ThenBy(h => h.Id)
            .Take(limit)
            .ToArray();
    }
}
