namespace Hatch.Writing.Text;

/// <summary>
/// A sparse, L2-normalised term vector: term ids ascending, so a dot product is a single merge.
/// Int ids and float weights keep ten thousand highlights in a few megabytes.
/// </summary>
public readonly record struct SparseVector(int[] Ids, float[] Weights)
{
    public static SparseVector Empty { get; } = new([], []);

    public bool IsEmpty => Ids.Length == 0;

    /// <summary>Cosine similarity, since both vectors are unit length (or empty, giving 0).</summary>
    public double Dot(SparseVector other)
    {
        var (a, b) = (Ids, other.Ids);
        double sum = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var (x, y) = (a[i], b[j]);
            if (x == y) { sum += Weights[i++] * (double)other.Weights[j++]; }
            else if (x < y) i++;
            else j++;
        }
        return sum;
    }

    /// <summary>Similarity to a dense vector indexed by term id (a centroid).</summary>
    public double Dot(ReadOnlySpan<double> dense)
    {
        double sum = 0;
        for (var i = 0; i < Ids.Length; i++)
            if (Ids[i] < dense.Length) sum += Weights[i] * dense[Ids[i]];
        return sum;
    }

    public void AddTo(Span<double> dense, double scale = 1)
    {
        for (var i = 0; i < Ids.Length; i++) dense[Ids[i]] += Weights[i] * scale;
    }
}

/// <summary>
/// TF-IDF over stemmed content words. Term ids follow first appearance, so the same documents in the same
/// order always give the same ids and the same floating-point sums.
/// </summary>
public sealed class TfIdfModel
{
    private readonly Dictionary<string, int> _ids;
    private readonly float[] _idf;

    private TfIdfModel(Dictionary<string, int> ids, float[] idf, int documentCount)
    {
        _ids = ids;
        _idf = idf;
        DocumentCount = documentCount;
    }

    public int DocumentCount { get; }

    public int TermCount => _idf.Length;

    public static TfIdfModel Fit(IReadOnlyList<IReadOnlyList<string>> documents)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var df = new List<int>();
        var lastSeen = new List<int>();
        for (var d = 0; d < documents.Count; d++)
        {
            foreach (var stem in documents[d])
            {
                if (!ids.TryGetValue(stem, out var id))
                {
                    id = ids.Count;
                    ids.Add(stem, id);
                    df.Add(0);
                    lastSeen.Add(-1);
                }
                if (lastSeen[id] != d) { lastSeen[id] = d; df[id]++; }
            }
        }
        var n = documents.Count;
        var idf = new float[df.Count];
        // Smoothed idf: a word in every document still weighs a little, a word in one weighs most.
        for (var t = 0; t < idf.Length; t++) idf[t] = (float)(Math.Log((1.0 + n) / (1.0 + df[t])) + 1.0);
        return new TfIdfModel(ids, idf, n);
    }

    public bool TryGetId(string stem, out int id) => _ids.TryGetValue(stem, out id);

    public double Idf(int id) => _idf[id];

    /// <summary>Sub-linear tf × idf, normalised; words the model has never seen are ignored.</summary>
    public SparseVector Vectorize(IReadOnlyList<string> stems)
    {
        if (stems.Count == 0) return SparseVector.Empty;
        var counts = new Dictionary<int, int>(stems.Count);
        foreach (var stem in stems)
            if (_ids.TryGetValue(stem, out var id))
                counts[id] = counts.GetValueOrDefault(id) + 1;
        if (counts.Count == 0) return SparseVector.Empty;

        var termIds = counts.Keys.ToArray();
        Array.Sort(termIds);
        var weights = new float[termIds.Length];
        double norm = 0;
        for (var i = 0; i < termIds.Length; i++)
        {
            var w = (1.0 + Math.Log(counts[termIds[i]])) * _idf[termIds[i]];
            weights[i] = (float)w;
            norm += w * w;
        }
        var scale = (float)(1.0 / Math.Sqrt(norm));
        for (var i = 0; i < weights.Length; i++) weights[i] *= scale;
        return new SparseVector(termIds, weights);
    }

    public static double[] Centroid(IReadOnlyList<SparseVector> vectors, IEnumerable<int> members, int termCount)
    {
        var centroid = new double[termCount];
        foreach (var m in members) vectors[m].AddTo(centroid);
        Normalize(centroid);
        return centroid;
    }

    public static void Normalize(Span<double> dense)
    {
        double norm = 0;
        foreach (var v in dense) norm += v * v;
        if (norm <= 0) return;
        var scale = 1.0 / Math.Sqrt(norm);
        for (var i = 0; i < dense.Length; i++) dense[i] *= scale;
    }
}
