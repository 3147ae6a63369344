using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hatch.Writing.Text;

/// <summary>One row of a <see cref="VectorBlock"/> and its cosine to the query.</summary>
public readonly record struct ScoredRow(int Row, float Score);

/// <summary>
/// A read-only set of unit vectors of one dimension, stored as one contiguous float array (row-major) beside their
/// ids. One contiguous block, not an array per highlight: a scan of 100,000 vectors then streams through memory
/// instead of chasing 100,000 objects, and the garbage collector sees two large arrays rather than a forest.
/// </summary>
/// <remarks>
/// Beside the floats each row is kept as 8-bit integers with its scale (a quarter of the memory), so that
/// <see cref="Nearest"/> over a large block first scans those, then computes the exact cosine only for the rows the
/// error bound of the 8-bit scores cannot rule out: the same answer as scanning the floats, with a quarter of the
/// memory traffic, which is what a scan of 100,000 rows waits on.
/// Several blocks may share one backing array: <see cref="Append"/> writes past the rows this block can see and
/// returns a longer block, so readers of the shorter one are never disturbed. Appending twice to the same block
/// copies instead (only the first append may grow in place).
/// </remarks>
public sealed class VectorBlock
{
    private readonly Storage _storage;
    private readonly Dictionary<Guid, int> _rowOf;

    private sealed class Storage(float[] data, Guid[] ids, sbyte[] codes, float[] scales, float[] l1Norms)
    {
        public float[] Data = data;
        public Guid[] Ids = ids;
        /// <summary>Each row as 8-bit integers: row ≈ scale × codes, within scale / 2 in every component.</summary>
        public sbyte[] Codes = codes;
        public float[] Scales = scales;
        /// <summary>Each row's sum of absolute components, for the error bound of a quantized query.</summary>
        public float[] L1Norms = l1Norms;
        /// <summary>Rows written so far; a block may append in place only if it ends exactly here.</summary>
        public int Written;
    }

    private VectorBlock(Storage storage, int count, int dimensions, Dictionary<Guid, int> rowOf)
    {
        _storage = storage;
        Count = count;
        Dimensions = dimensions;
        _rowOf = rowOf;
    }

    public static VectorBlock Empty(int dimensions) => new(new Storage([], [], [], [], []), 0, dimensions, []);

    /// <summary>An empty block with room for <paramref name="capacity"/> rows, so a load whose size is known appends without copying.</summary>
    public static VectorBlock Empty(int dimensions, int capacity) =>
        new(NewStorage(capacity, dimensions), 0, dimensions, new Dictionary<Guid, int>(capacity));

    private static Storage NewStorage(int capacity, int dimensions) => new(
        new float[(long)capacity * dimensions], new Guid[capacity], new sbyte[(long)capacity * dimensions], new float[capacity], new float[capacity]);

    /// <summary>Copies the vectors into a new block, dropping any whose length is not <paramref name="dimensions"/> (another model's).</summary>
    public static VectorBlock From(IReadOnlyList<(Guid Id, float[] Vector)> rows, int dimensions) =>
        Empty(dimensions).Append(rows);

    public int Count { get; }

    public int Dimensions { get; }

    /// <summary>Bytes held by the backing arrays and the id lookup, for the cache's memory budget.</summary>
    public long Bytes => (long)_storage.Data.Length * sizeof(float) + _storage.Codes.Length + (long)_storage.Ids.Length * (16 + 2 * sizeof(float))
                         + (long)_rowOf.Count * 28;

    public Guid IdAt(int row) => _storage.Ids[row];

    public ReadOnlySpan<float> Row(int row) => _storage.Data.AsSpan(row * Dimensions, Dimensions);

    public bool TryGetRow(Guid id, out int row) => _rowOf.TryGetValue(id, out row) && row < Count;

    public bool Contains(Guid id) => TryGetRow(id, out _);

    /// <summary>A copy of one vector, for the pure services that take arrays.</summary>
    public float[] VectorOf(int row) => Row(row).ToArray();

    /// <summary>A block with these rows added after this block's rows; rows already present or of another length are skipped.</summary>
    public VectorBlock Append(IReadOnlyList<(Guid Id, float[] Vector)> rows)
    {
        var fresh = new List<(Guid Id, float[] Vector)>(rows.Count);
        var seen = new HashSet<Guid>();
        foreach (var r in rows)
            if (r.Vector.Length == Dimensions && !Contains(r.Id) && seen.Add(r.Id)) fresh.Add(r);
        if (fresh.Count == 0) return this;

        var needed = Count + fresh.Count;
        Storage storage;
        lock (_storage)
        {
            var inPlace = _storage.Written == Count && _storage.Ids.Length >= needed;
            if (inPlace)
            {
                storage = _storage;
            }
            else
            {
                // Room for a quarter more, so a library that grows by embedding batches is not copied on every batch.
                var capacity = Count == 0 && rows.Count == needed ? needed : needed + Math.Max(64, needed / 4);
                storage = NewStorage(capacity, Dimensions);
                Array.Copy(_storage.Data, storage.Data, (long)Count * Dimensions);
                Array.Copy(_storage.Codes, storage.Codes, (long)Count * Dimensions);
                Array.Copy(_storage.Ids, storage.Ids, Count);
                Array.Copy(_storage.Scales, storage.Scales, Count);
                Array.Copy(_storage.L1Norms, storage.L1Norms, Count);
            }
            for (var i = 0; i < fresh.Count; i++)
            {
                var row = Count + i;
                fresh[i].Vector.CopyTo(storage.Data.AsSpan(row * Dimensions, Dimensions));
                storage.Ids[row] = fresh[i].Id;
                storage.Scales[row] = Quantize(fresh[i].Vector, storage.Codes.AsSpan(row * Dimensions, Dimensions));
                storage.L1Norms[row] = TensorPrimitives.SumOfMagnitudes(fresh[i].Vector);
            }
            storage.Written = needed;
        }
        var rowOf = new Dictionary<Guid, int>(_rowOf);
        for (var i = 0; i < fresh.Count; i++) rowOf[fresh[i].Id] = Count + i;
        return new VectorBlock(storage, needed, Dimensions, rowOf);
    }

    /// <summary>Cosine of the query to every row (the vectors are unit length, so a dot product).</summary>
    public float[] Scores(ReadOnlySpan<float> query)
    {
        var scores = new float[Count];
        if (query.Length != Dimensions) return scores;
        var data = _storage.Data;
        for (var i = 0; i < Count; i++)
            scores[i] = TensorPrimitives.Dot(query, data.AsSpan(i * Dimensions, Dimensions));
        return scores;
    }

    /// <summary>
    /// The <paramref name="k"/> rows nearest the query with a cosine of at least <paramref name="minScore"/>, best
    /// first, ties to the lower row, through a bounded min-heap (O(n log k)).
    /// </summary>
    public IReadOnlyList<ScoredRow> Nearest(ReadOnlySpan<float> query, int k, float minScore = float.MinValue, Func<int, bool>? include = null)
    {
        if (k <= 0 || Count == 0 || query.Length != Dimensions) return [];
        return Count < QuantizedScanFrom || !Avx2.IsSupported || !float.IsFinite(TensorPrimitives.Sum(query))
            ? NearestExact(query, k, minScore, include)
            : NearestQuantized(query, k, minScore, include, out _);
    }

    /// <summary>
    /// <see cref="Nearest"/> in two passes; <paramref name="rescored"/> says how many rows needed their exact cosine.
    /// The first pass runs on <paramref name="partitions"/> threads (0: one per core for a large block), so
    /// <paramref name="include"/> must be safe to call from several threads at once (a read of a set is).
    /// </summary>
    internal IReadOnlyList<ScoredRow> NearestQuantized(
        ReadOnlySpan<float> query, int k, float minScore, Func<int, bool>? include, out int rescored, int partitions = 0)
    {
        rescored = 0;
        if (k <= 0 || Count == 0 || query.Length != Dimensions) return [];
        // First pass, over the 8-bit rows: each score within its error bound of the exact cosine. The k-th best lower
        // bound (among rows the caller includes) is a cosine the answer's rows reach at least, so a row whose upper
        // bound falls short of it, or of minScore, cannot be in the answer. Each part of the rows keeps its own k best
        // lower bounds; the k best of all are among them.
        var codes = new sbyte[Dimensions];
        var queryScale = Quantize(query, codes);
        var queryL1 = queryScale * L1(codes);
        var approximate = ArrayPool<float>.Shared.Rent(Count);
        try
        {
            if (partitions <= 0) partitions = Math.Clamp(Count / RowsPerScanThread, 1, Environment.ProcessorCount);
            partitions = Math.Min(partitions, Count);
            var bestLowerBounds = new float[partitions][];
            if (partitions == 1) bestLowerBounds[0] = FirstPass(codes, queryScale, queryL1, 0, Count, k, include, approximate);
            else
                Parallel.For(0, partitions, part => bestLowerBounds[part] = FirstPass(
                    codes, queryScale, queryL1, (int)((long)Count * part / partitions), (int)((long)Count * (part + 1) / partitions), k, include, approximate));
            var floor = minScore;
            var lowerBounds = partitions == 1 ? bestLowerBounds[0] : bestLowerBounds.SelectMany(b => b).ToArray();
            if (lowerBounds.Length >= k)
            {
                Array.Sort(lowerBounds);
                floor = Math.Max(floor, lowerBounds[^k]);
            }

            return SecondPass(query, k, minScore, include, queryScale, queryL1, approximate, floor, out rescored);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(approximate);
        }
    }

    /// <summary>The exact cosine of the rows the first pass left, in row order, as a scan of the floats would rank them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ScoredRow[] SecondPass(ReadOnlySpan<float> query, int k, float minScore, Func<int, bool>? include,
        float queryScale, float queryL1, float[] approximate, float floor, out int rescored)
    {
        rescored = 0;
        var data = _storage.Data;
        var heap = new PriorityQueue<int, (float Score, int NegRow)>(k + 1);
        for (var i = 0; i < Count; i++)
        {
            if (approximate[i] + ErrorBound(i, queryScale, queryL1) < floor) continue;
            rescored++;
            Offer(heap, i, TensorPrimitives.Dot(query, data.AsSpan(i * Dimensions, Dimensions)), k, minScore, include);
        }
        return Drain(heap);
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="end"/>) scored from their 8-bit codes into
    /// <paramref name="approximate"/>; returns the (up to) <paramref name="k"/> best lower bounds among the included.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] FirstPass(sbyte[] codes, float queryScale, float queryL1, int start, int end, int k, Func<int, bool>? include, float[] approximate)
    {
        var data = _storage;
        var lowerBounds = new PriorityQueue<int, float>(k + 1);
        for (var i = start; i < end; i++)
        {
            var score = approximate[i] = queryScale * data.Scales[i] * DotInt8(codes, data.Codes.AsSpan(i * Dimensions, Dimensions));
            var lower = score - ErrorBound(i, queryScale, queryL1);
            if (lowerBounds.Count == k && lowerBounds.TryPeek(out _, out var kth) && lower <= kth) continue;
            if (include is not null && !include(i)) continue;
            lowerBounds.Enqueue(i, lower);
            if (lowerBounds.Count > k) lowerBounds.Dequeue();
        }
        var best = new float[lowerBounds.Count];
        for (var n = 0; lowerBounds.TryDequeue(out _, out var lower); n++) best[n] = lower;
        return best;
    }

    /// <summary>
    /// Rows per thread of the first pass: below about this, waking another thread costs more than it saves. At
    /// 100,000 rows the pass is 5–10 ms of memory traffic, which two cores halve.
    /// </summary>
    internal const int RowsPerScanThread = 32_768;

    /// <summary>Below this many rows the floats are scanned directly: the two passes cost more than they save.</summary>
    internal const int QuantizedScanFrom = 4096;

    /// <summary>
    /// |q·v − q̂·v̂| ≤ |(q − q̂)·v| + |q̂·(v − v̂)| ≤ (s_q / 2)·‖v‖₁ + (s_v / 2)·‖q̂‖₁, plus room for float rounding.
    /// </summary>
    private float ErrorBound(int row, float queryScale, float queryL1) =>
        queryScale / 2 * _storage.L1Norms[row] + _storage.Scales[row] / 2 * queryL1 + 1e-4f;

    /// <summary>The scan of the floats, for small blocks and machines without AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal IReadOnlyList<ScoredRow> NearestExact(ReadOnlySpan<float> query, int k, float minScore = float.MinValue, Func<int, bool>? include = null)
    {
        if (k <= 0 || Count == 0 || query.Length != Dimensions) return [];
        // Scored and kept in one pass, with no array of every score: at 100,000 rows that array is a large-object
        // allocation per search, and those are what set off full garbage collections under load.
        var data = _storage.Data;
        var heap = new PriorityQueue<int, (float Score, int NegRow)>(Math.Min(k, Count) + 1);
        for (var i = 0; i < Count; i++)
            Offer(heap, i, TensorPrimitives.Dot(query, data.AsSpan(i * Dimensions, Dimensions)), k, minScore, include);
        return Drain(heap);
    }

    private static void Offer(PriorityQueue<int, (float Score, int NegRow)> heap, int row, float score, int k, float minScore, Func<int, bool>? include)
    {
        if (score < minScore) return;
        // Cheap rejection before the include callback once the heap is full.
        if (heap.Count == k && heap.TryPeek(out _, out var worst) && (score, -row).CompareTo(worst) <= 0) return;
        if (include is not null && !include(row)) return;
        heap.Enqueue(row, (score, -row));
        if (heap.Count > k) heap.Dequeue();
    }

    private static ScoredRow[] Drain(PriorityQueue<int, (float Score, int NegRow)> heap)
    {
        var result = new ScoredRow[heap.Count];
        for (var r = result.Length - 1; r >= 0; r--)
        {
            heap.TryDequeue(out var row, out var priority);
            result[r] = new ScoredRow(row, priority.Score);
        }
        return result;
    }

    /// <summary>Writes the vector as 8-bit integers (largest component ↦ ±127); returns the scale that maps them back.</summary>
    private static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var largest = vector.Length == 0 ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(vector));
        if (largest == 0 || !float.IsFinite(largest)) { codes.Clear(); return 0; }
        var scale = largest / 127f;
        for (var i = 0; i < vector.Length; i++) codes[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        return scale;
    }

    private static float L1(ReadOnlySpan<sbyte> codes)
    {
        var sum = 0;
        foreach (var c in codes) sum += Math.Abs(c);
        return sum;
    }

    /// <summary>The exact integer dot product of two 8-bit rows, 32 components at a time (AVX2 multiply-add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DotInt8(ReadOnlySpan<sbyte> query, ReadOnlySpan<sbyte> row)
    {
        var sum = 0;
        var i = 0;
        if (Avx2.IsSupported && row.Length >= 32)
        {
            var total = Vector256<int>.Zero;
            var ones = Vector256.Create((short)1);
            for (; i <= row.Length - 32; i += 32)
            {
                var q = Vector256.Create(query.Slice(i, 32));
                var r = Vector256.Create(row.Slice(i, 32));
                // |q| as unsigned times r with q's sign: pairs summed to 16 bits (at most 2·127², no saturation), then to 32.
                var pairs = Avx2.MultiplyAddAdjacent(Avx2.Abs(q), Avx2.Sign(r, q));
                total = Avx2.Add(total, Avx2.MultiplyAddAdjacent(pairs, ones));
            }
            sum = Vector256.Sum(total);
        }
        for (; i < row.Length; i++) sum += query[i] * row[i];
        return sum;
    }
}
