using System.Numerics.Tensors;

namespace Hatch.Writing.Text;

/// <summary>
/// Groups passages into themes with spherical k-means (cosine), seeded farthest-first from the most central
/// passage so no randomness is involved, and picks the number of themes by silhouette.
/// </summary>
public static class ThemeClustering
{
    private const int MaxIterations = 30;

    /// <summary>
    /// Clusters <paramref name="vectors"/> into between <paramref name="minK"/> and <paramref name="maxK"/> non-empty
    /// groups of indices (each ascending), choosing k by mean silhouette; ties go to the smaller k.
    /// </summary>
    public static int[][] Cluster(IReadOnlyList<SparseVector> vectors, int termCount, int minK, int maxK, int firstSeed)
    {
        var n = vectors.Count;
        if (n == 0) return [];
        minK = Math.Clamp(minK, 1, n);
        maxK = Math.Clamp(maxK, minK, n);
        if (maxK == 1) return [Enumerable.Range(0, n).ToArray()];

        var similarity = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            similarity[i * n + i] = 1;
            for (var j = i + 1; j < n; j++)
                similarity[i * n + j] = similarity[j * n + i] = (float)vectors[i].Dot(vectors[j]);
        }

        int[][]? best = null;
        var bestScore = double.NegativeInfinity;
        for (var k = minK; k <= maxK; k++)
        {
            var clusters = KMeans(vectors, termCount, k, Seeds(similarity, n, k, firstSeed));
            var score = k == 1 ? 0 : Silhouette(similarity, n, clusters);
            if (score > bestScore + 1e-9)
            {
                best = clusters;
                bestScore = score;
            }
        }
        return best!;
    }

    /// <summary>
    /// The same choice of themes over dense embeddings (unit vectors), so passages that share a meaning but no
    /// words can land together. Quadratic in memory: for the few hundred passages of one article.
    /// </summary>
    public static int[][] Cluster(IReadOnlyList<float[]> vectors, int minK, int maxK, int firstSeed)
    {
        var n = vectors.Count;
        if (n == 0) return [];
        minK = Math.Clamp(minK, 1, n);
        maxK = Math.Clamp(maxK, minK, n);
        if (maxK == 1) return [Enumerable.Range(0, n).ToArray()];

        var similarity = VectorMath.SimilarityMatrix(vectors);
        int[][]? best = null;
        var bestScore = double.NegativeInfinity;
        for (var k = minK; k <= maxK; k++)
        {
            var clusters = KMeans(vectors, Seeds(similarity, n, k, firstSeed));
            var score = k == 1 ? 0 : Silhouette(similarity, n, clusters);
            if (score > bestScore + 1e-9)
            {
                best = clusters;
                bestScore = score;
            }
        }
        return best!;
    }

    /// <summary>
    /// Spherical k-means over dense unit vectors from the given seeds, in O(n·k·d) per pass with no n×n matrix,
    /// so it scales to whole libraries. Empty clusters are dropped; members ascend.
    /// </summary>
    public static int[][] KMeans(IReadOnlyList<float[]> vectors, int[] seeds, int maxIterations = MaxIterations)
    {
        var n = vectors.Count;
        var k = seeds.Length;
        if (n == 0 || k == 0) return [];
        var d = vectors[0].Length;
        var centroids = new float[k][];
        for (var c = 0; c < k; c++) centroids[c] = (float[])vectors[seeds[c]].Clone();
        var assignment = new int[n];
        Array.Fill(assignment, -1);
        var fit = new double[n];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var bestCluster = 0;
                var bestSimilarity = double.NegativeInfinity;
                for (var c = 0; c < k; c++)
                {
                    double s = TensorPrimitives.Dot(vectors[i], centroids[c]);
                    if (s > bestSimilarity + 1e-9) { bestSimilarity = s; bestCluster = c; }
                }
                if (iteration == 0 && Array.IndexOf(seeds, i) is var own and >= 0) bestCluster = own;
                fit[i] = bestSimilarity;
                if (assignment[i] != bestCluster) { assignment[i] = bestCluster; changed = true; }
            }
            RefillEmptyClusters(assignment, fit, k);
            if (!changed && iteration > 0) break;
            foreach (var centroid in centroids) Array.Clear(centroid);
            for (var i = 0; i < n; i++) TensorPrimitives.Add(centroids[assignment[i]], vectors[i], centroids[assignment[i]]);
            foreach (var centroid in centroids) VectorMath.Normalize(centroid);
        }
        var members = new List<int>[k];
        for (var c = 0; c < k; c++) members[c] = [];
        for (var i = 0; i < n; i++) members[assignment[i]].Add(i);
        return members.Where(m => m.Count > 0).Select(m => m.ToArray()).ToArray();
    }

    /// <summary>
    /// Farthest-first seeds computed on the fly (no n×n matrix), for whole libraries: each next seed is the vector
    /// least similar to every seed so far.
    /// </summary>
    public static int[] Seeds(IReadOnlyList<float[]> vectors, int k, int first)
    {
        var n = vectors.Count;
        k = Math.Min(k, n);
        var seeds = new List<int>(k) { first };
        var chosen = new bool[n];
        chosen[first] = true;
        var closest = new float[n];
        for (var i = 0; i < n; i++) closest[i] = TensorPrimitives.Dot(vectors[i], vectors[first]);
        while (seeds.Count < k)
        {
            var next = -1;
            for (var i = 0; i < n; i++)
                if (!chosen[i] && (next < 0 || closest[i] < closest[next])) next = i;
            seeds.Add(next);
            chosen[next] = true;
            for (var i = 0; i < n; i++) closest[i] = Math.Max(closest[i], TensorPrimitives.Dot(vectors[i], vectors[next]));
        }
        return seeds.ToArray();
    }

    /// <summary>Farthest-first: each next seed is the passage least similar to every seed chosen so far.</summary>
    internal static int[] Seeds(float[] similarity, int n, int k, int first)
    {
        var seeds = new List<int> { first };
        var closest = new float[n];
        for (var i = 0; i < n; i++) closest[i] = similarity[i * n + first];
        while (seeds.Count < k)
        {
            var next = -1;
            for (var i = 0; i < n; i++)
                if (!seeds.Contains(i) && (next < 0 || closest[i] < closest[next])) next = i;
            seeds.Add(next);
            for (var i = 0; i < n; i++) closest[i] = Math.Max(closest[i], similarity[i * n + next]);
        }
        return seeds.ToArray();
    }

    private static int[][] KMeans(IReadOnlyList<SparseVector> vectors, int termCount, int k, int[] seeds)
    {
        var n = vectors.Count;
        var centroids = new double[k][];
        for (var c = 0; c < k; c++)
        {
            centroids[c] = new double[termCount];
            vectors[seeds[c]].AddTo(centroids[c]);
        }
        var assignment = new int[n];
        Array.Fill(assignment, -1);
        var fit = new double[n];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var bestCluster = 0;
                var bestSimilarity = double.NegativeInfinity;
                for (var c = 0; c < k; c++)
                {
                    var s = vectors[i].Dot(centroids[c]);
                    if (s > bestSimilarity + 1e-12) { bestSimilarity = s; bestCluster = c; }
                }
                // A seed stays with its own cluster on the first pass so that empty vectors cannot empty it.
                if (iteration == 0 && Array.IndexOf(seeds, i) is var own and >= 0) bestCluster = own;
                fit[i] = bestSimilarity;
                if (assignment[i] != bestCluster) { assignment[i] = bestCluster; changed = true; }
            }
            RefillEmptyClusters(assignment, fit, k);
            if (!changed && iteration > 0) break;
            for (var c = 0; c < k; c++) Array.Clear(centroids[c]);
            for (var i = 0; i < n; i++) vectors[i].AddTo(centroids[assignment[i]]);
            foreach (var centroid in centroids) TfIdfModel.Normalize(centroid);
        }
        return Enumerable.Range(0, k)
            .Select(c => Enumerable.Range(0, n).Where(i => assignment[i] == c).ToArray())
            .Where(members => members.Length > 0)
            .ToArray();
    }

    /// <summary>An empty cluster takes the worst-fitting passage of a cluster that can spare one.</summary>
    private static void RefillEmptyClusters(int[] assignment, double[] fit, int k)
    {
        var sizes = new int[k];
        foreach (var a in assignment) sizes[a]++;
        for (var c = 0; c < k; c++)
        {
            if (sizes[c] > 0) continue;
            var worst = -1;
            for (var i = 0; i < assignment.Length; i++)
                if (sizes[assignment[i]] > 1 && (worst < 0 || fit[i] < fit[worst])) worst = i;
            if (worst < 0) return;
            sizes[assignment[worst]]--;
            assignment[worst] = c;
            sizes[c]++;
            fit[worst] = 1;
        }
    }

    /// <summary>Mean silhouette with cosine distance; a passage alone in its cluster scores 0.</summary>
    internal static double Silhouette(float[] similarity, int n, int[][] clusters)
    {
        if (clusters.Length < 2) return 0;
        var clusterOf = new int[n];
        for (var c = 0; c < clusters.Length; c++) foreach (var i in clusters[c]) clusterOf[i] = c;
        double total = 0;
        var distanceSums = new double[clusters.Length];
        for (var i = 0; i < n; i++)
        {
            var own = clusterOf[i];
            if (clusters[own].Length == 1) continue;
            Array.Clear(distanceSums);
            for (var j = 0; j < n; j++)
                if (j != i) distanceSums[clusterOf[j]] += 1 - similarity[i * n + j];
            var a = distanceSums[own] / (clusters[own].Length - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < clusters.Length; c++)
                if (c != own) b = Math.Min(b, distanceSums[c] / clusters[c].Length);
            var denominator = Math.Max(a, b);
            if (denominator > 0) total += (b - a) / denominator;
        }
        return total / n;
    }
}
