namespace Hatch.Writing.Text;

/// <summary>Orders passages from most to least central to the collection they belong to.</summary>
public static class CentralityRanker
{
    /// <summary>
    /// LexRank builds a full similarity graph, so it runs on at most this many passages; the rest are ordered
    /// by the cheap centroid score, which also chooses who the candidates are.
    /// </summary>
    public const int CandidateCap = 400;

    /// <summary>Indices into <paramref name="texts"/>, most central first. Deterministic.</summary>
    public static IReadOnlyList<int> Rank(IReadOnlyList<string> texts)
    {
        var stems = new IReadOnlyList<string>[texts.Count];
        for (var i = 0; i < texts.Count; i++) stems[i] = Tokenizer.Stems(texts[i]);
        var model = TfIdfModel.Fit(stems);
        var vectors = new SparseVector[texts.Count];
        for (var i = 0; i < texts.Count; i++) vectors[i] = model.Vectorize(stems[i]);
        return Rank(vectors, model.TermCount);
    }

    /// <summary>Indices into <paramref name="vectors"/>, most central first; ties go to the earlier index.</summary>
    public static int[] Rank(IReadOnlyList<SparseVector> vectors, int termCount, int candidateCap = CandidateCap)
    {
        var n = vectors.Count;
        if (n == 0) return [];

        // Similarity to the centroid of everything is the average similarity to all others, in O(n·len).
        var centroid = TfIdfModel.Centroid(vectors, Enumerable.Range(0, n), termCount);
        var coarse = new double[n];
        for (var i = 0; i < n; i++) coarse[i] = vectors[i].Dot(centroid);
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => coarse[b].CompareTo(coarse[a]) is var c and not 0 ? c : a.CompareTo(b));

        var m = Math.Min(n, candidateCap);
        var candidates = order[..m];
        var fine = LexRank.Scores(candidates.Select(i => vectors[i]).ToArray());
        return Refine(order, candidates, coarse, fine);
    }

    /// <summary>
    /// The same ranking over dense embeddings (unit vectors): passages central in meaning rather than in wording.
    /// Indices into <paramref name="vectors"/>, most central first; ties go to the earlier index.
    /// </summary>
    public static int[] Rank(IReadOnlyList<float[]> vectors, int candidateCap = CandidateCap)
    {
        var n = vectors.Count;
        if (n == 0) return [];
        var centroid = VectorMath.Centroid(vectors, Enumerable.Range(0, n), vectors[0].Length);
        var coarse = new double[n];
        for (var i = 0; i < n; i++) coarse[i] = VectorMath.Cosine(vectors[i], centroid);
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => coarse[b].CompareTo(coarse[a]) is var c and not 0 ? c : a.CompareTo(b));

        var m = Math.Min(n, candidateCap);
        var candidates = order[..m];
        var fine = LexRank.Scores(VectorMath.SimilarityMatrix(candidates.Select(i => vectors[i]).ToArray()), m);
        return Refine(order, candidates, coarse, fine);
    }

    /// <summary>
    /// Puts the candidates (the head of <paramref name="order"/>) in LexRank order: the fine score first, then the
    /// coarse one, then the earlier index, so equal passages keep their input order.
    /// </summary>
    private static int[] Refine(int[] order, int[] candidates, double[] coarse, IReadOnlyList<double> fine)
    {
        var refined = Enumerable.Range(0, candidates.Length).ToArray();
        Array.Sort(refined, (a, b) =>
            fine[b].CompareTo(fine[a]) is var c and not 0 ? c
            : coarse[candidates[b]].CompareTo(coarse[candidates[a]]) is var d and not 0 ? d
            : candidates[a].CompareTo(candidates[b]));
        for (var k = 0; k < candidates.Length; k++) order[k] = candidates[refined[k]];
        return order;
    }
}

/// <summary>
/// Continuous LexRank (Erkan and Radev, 2004): PageRank over the cosine-similarity graph, so a passage is
/// central when it resembles many passages that are themselves central.
/// </summary>
public static class LexRank
{
    public const double Damping = 0.85;

    public static double[] Scores(IReadOnlyList<SparseVector> vectors, int maxIterations = 100, double tolerance = 1e-9)
    {
        var n = vectors.Count;
        if (n == 0) return [];
        if (n == 1) return [1.0];

        var similarity = new float[n * n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                similarity[i * n + j] = similarity[j * n + i] = (float)vectors[i].Dot(vectors[j]);
        return Scores(similarity, n, maxIterations, tolerance);
    }

    /// <summary>LexRank over a precomputed row-major cosine matrix (the diagonal is ignored); dense embeddings use this.</summary>
    public static double[] Scores(float[] similarity, int n, int maxIterations = 100, double tolerance = 1e-9)
    {
        if (n == 0) return [];
        if (n == 1) return [1.0];

        var weights = new float[n * n];
        var rowSums = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var s = similarity[i * n + j];
                if (s <= 0) continue;
                weights[i * n + j] = s;
                weights[j * n + i] = s;
                rowSums[i] += s;
                rowSums[j] += s;
            }
        }

        var rank = new double[n];
        Array.Fill(rank, 1.0 / n);
        var next = new double[n];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            // Passages similar to nothing spread their weight evenly, as PageRank does for dangling nodes.
            double dangling = 0;
            for (var i = 0; i < n; i++) if (rowSums[i] <= 0) dangling += rank[i];
            var baseline = (1 - Damping) / n + Damping * dangling / n;
            Array.Fill(next, baseline);
            for (var i = 0; i < n; i++)
            {
                if (rowSums[i] <= 0) continue;
                var share = Damping * rank[i] / rowSums[i];
                var row = i * n;
                for (var j = 0; j < n; j++)
                {
                    var w = weights[row + j];
                    if (w != 0) next[j] += share * w;
                }
            }
            double delta = 0;
            for (var i = 0; i < n; i++) delta += Math.Abs(next[i] - rank[i]);
            (rank, next) = (next, rank);
            if (delta < tolerance) break;
        }
        return rank;
    }
}
