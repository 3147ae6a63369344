using System.Numerics.Tensors;

namespace Hatch.Writing.Text;

/// <summary>One row of a <see cref="VectorBlock"/> and its cosine to the query.</summary>
public readonly record struct ScoredRow(int Row, float Score);

/// <summary>
/// A read-only set of unit vectors of one dimension, stored as one contiguous float array (row-major) beside their
/// ids. One contiguous block, not an array per highlight: a scan of 100,000 vectors then streams through memory
/// instead of chasing 100,000 objects, and the garbage collector sees two large arrays rather than a forest.
/// </summary>
/// <remarks>
/// Several blocks may share one backing array: <see cref="Append"/> writes past the rows this block can see and
/// returns a longer block, so readers of the shorter one are never disturbed. Appending twice to the same block
/// copies instead (only the first append may grow in place).
/// </remarks>
public sealed class VectorBlock
{
    private readonly Storage _storage;
    private readonly Dictionary<Guid, int> _rowOf;

    private sealed class Storage(float[] data, Guid[] ids)
    {
        public float[] Data = data;
        public Guid[] Ids = ids;
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

    public static VectorBlock Empty(int dimensions) => new(new Storage([], []), 0, dimensions, []);

    /// <summary>An empty block with room for <paramref name="capacity"/> rows, so a load whose size is known appends without copying.</summary>
    public static VectorBlock Empty(int dimensions, int capacity) =>
        new(new Storage(new float[(long)capacity * dimensions], new Guid[capacity]), 0, dimensions, new Dictionary<Guid, int>(capacity));

    /// <summary>Copies the vectors into a new block, dropping any whose length is not <paramref name="dimensions"/> (another model's).</summary>
    public static VectorBlock From(IReadOnlyList<(Guid Id, float[] Vector)> rows, int dimensions) =>
        Empty(dimensions).Append(rows);

    public int Count { get; }

    public int Dimensions { get; }

    /// <summary>Bytes held by the backing arrays and the id lookup, for the cache's memory budget.</summary>
    public long Bytes => (long)_storage.Data.Length * sizeof(float) + (long)_storage.Ids.Length * 16 + (long)_rowOf.Count * 28;

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
                storage = new Storage(new float[(long)capacity * Dimensions], new Guid[capacity]);
                Array.Copy(_storage.Data, storage.Data, (long)Count * Dimensions);
                Array.Copy(_storage.Ids, storage.Ids, Count);
            }
            for (var i = 0; i < fresh.Count; i++)
            {
                fresh[i].Vector.CopyTo(storage.Data.AsSpan((Count + i) * Dimensions, Dimensions));
                storage.Ids[Count + i] = fresh[i].Id;
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
        // Scored and kept in one pass, with no array of every score: at 100,000 rows that array is a large-object
        // allocation per search, and those are what set off full garbage collections under load.
        var data = _storage.Data;
        var heap = new PriorityQueue<int, (float Score, int NegRow)>(Math.Min(k, Count) + 1);
        for (var i = 0; i < Count; i++)
        {
            var score = TensorPrimitives.Dot(query, data.AsSpan(i * Dimensions, Dimensions));
            if (score < minScore) continue;
            // Cheap rejection before the include callback once the heap is full.
            if (heap.Count == k && heap.TryPeek(out _, out var worst) && (score, -i).CompareTo(worst) <= 0) continue;
            if (include is not null && !include(i)) continue;
            heap.Enqueue(i, (score, -i));
            if (heap.Count > k) heap.Dequeue();
        }
        var result = new ScoredRow[heap.Count];
        for (var r = result.Length - 1; r >= 0; r--)
        {
            heap.TryDequeue(out var row, out var priority);
            result[r] = new ScoredRow(row, priority.Score);
        }
        return result;
    }
}
