using System.Numerics.Tensors;

namespace Hatch.Writing.Text;

/// <summary>
/// Dense vector arithmetic over unit-length float vectors. TensorPrimitives vectorises with whatever SIMD the CPU
/// has, which is what keeps a 5,000-highlight library in the tens of milliseconds per pass.
/// </summary>
public static class VectorMath
{
    /// <summary>Cosine similarity of two unit vectors; vectors of different lengths (another model) compare as 0.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length && a.Length > 0 ? TensorPrimitives.Dot(a, b) : 0f;

    /// <summary>Scales in place to unit length; a zero vector stays zero (it is similar to nothing).</summary>
    public static float[] Normalize(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm) && Math.Abs(norm - 1f) > 1e-6f)
            TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <summary>The normalised mean of the members' vectors: the direction a group points in.</summary>
    public static float[] Centroid(IReadOnlyList<float[]> vectors, IEnumerable<int> members, int dimensions)
    {
        var centroid = new float[dimensions];
        foreach (var m in members) TensorPrimitives.Add(centroid, vectors[m], centroid);
        return Normalize(centroid);
    }

    /// <summary>The full cosine matrix, row-major; only for the few hundred passages of one article.</summary>
    public static float[] SimilarityMatrix(IReadOnlyList<float[]> vectors)
    {
        var n = vectors.Count;
        var similarity = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            similarity[i * n + i] = 1;
            for (var j = i + 1; j < n; j++)
                similarity[i * n + j] = similarity[j * n + i] = Cosine(vectors[i], vectors[j]);
        }
        return similarity;
    }

    /// <summary>Indices of the <paramref name="k"/> largest scores, best first; ties go to the lower index.</summary>
    internal static int[] TopK(float[] scores, int k, Func<int, bool>? include = null)
    {
        k = Math.Min(k, scores.Length);
        if (k <= 0) return [];
        // A bounded min-heap keeps this O(n log k): suggestions and search scan whole libraries.
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(k + 1);
        for (var i = 0; i < scores.Length; i++)
        {
            if (include is not null && !include(i)) continue;
            heap.Enqueue(i, (scores[i], -i));
            if (heap.Count > k) heap.Dequeue();
        }
        var result = new int[heap.Count];
        for (var r = result.Length - 1; r >= 0; r--) result[r] = heap.Dequeue();
        return result;
    }
}
