using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Writing.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Library;

/// <summary>
/// Each user's stored vectors of one model, held in memory as one <see cref="VectorBlock"/> shared by every request
/// of this process, so search, related highlights and near-duplicate checks never read a whole library per request.
/// </summary>
/// <remarks>
/// <para>Freshness across processes: every use reads the user's <see cref="LibraryVersion"/> row (one primary-key
/// read), which database triggers bump whenever a vector or highlight of theirs is written or deleted, by this
/// process, a worker or the CLI. Unchanged version: the block is served as it is. Only additions since the load
/// (<see cref="LibraryVersion.Removals"/> unchanged): the new vectors are read and appended, then the user's vector
/// count is compared with the block's, and any difference (a vector missed by the read) means a full reload.
/// Anything removed or rewritten: a full reload.</para>
/// <para>Memory: the blocks together stay within <c>Hatch:Embeddings:IndexMemoryBudgetMB</c>; the least recently used
/// users are dropped first, and a library larger than the whole budget is served from a copy that is not kept (but
/// shared by the requests that overlap it).</para>
/// </remarks>
public sealed partial class VectorIndexCache : IDisposable
{
    /// <summary>
    /// How far before the newest loaded vector an append re-reads: vectors committed late (a slow transaction, another
    /// host's clock) are then still found; one missed anyway shows in the count check and forces a reload.
    /// </summary>
    internal static readonly TimeSpan AppendOverlap = TimeSpan.FromSeconds(30);

    private const int LoadChunk = 2048;

    private readonly ConcurrentDictionary<(string UserId, string ModelId), Entry> _entries = new();
    private readonly ILogger<VectorIndexCache> _logger;
    private readonly IDisposable? _onChange;
    private long _budgetBytes;

    public VectorIndexCache(IOptionsMonitor<EmbeddingOptions> options, ILogger<VectorIndexCache> logger)
    {
        _logger = logger;
        _budgetBytes = BudgetOf(options.CurrentValue);
        _onChange = options.OnChange(o =>
        {
            Interlocked.Exchange(ref _budgetBytes, BudgetOf(o));
            Trim(keep: null);
        });
    }

    private static long BudgetOf(EmbeddingOptions o) => (long)o.IndexMemoryBudgetMB * 1024 * 1024;

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public volatile Snapshot? Current;
        public long LastUsed;

        /// <summary>
        /// A block too large for the budget is not kept, but while requests still hold it the next ones share it:
        /// otherwise every concurrent request of that reader would read a copy of its own, and memory would grow
        /// with the number of requests instead of staying at one library.
        /// </summary>
        public volatile UnkeptSnapshot? Unkept;

        public Snapshot? Latest => Current ?? Unkept?.IfStillHeld();
    }

    private sealed record Snapshot(VectorBlock Block, long Version, long Removals, DateTimeOffset Newest);

    /// <summary>
    /// The weak reference is to the block itself, the object requests hold: one to the snapshot around it would be
    /// collected at the next GC while requests still used the block.
    /// </summary>
    private sealed record UnkeptSnapshot(WeakReference<VectorBlock> Block, long Version, long Removals, DateTimeOffset Newest)
    {
        public UnkeptSnapshot(Snapshot snapshot)
            : this(new WeakReference<VectorBlock>(snapshot.Block), snapshot.Version, snapshot.Removals, snapshot.Newest) { }

        public Snapshot? IfStillHeld() => Block.TryGetTarget(out var block) ? new Snapshot(block, Version, Removals, Newest) : null;
    }

    /// <summary>Bytes the kept blocks hold now.</summary>
    public long Bytes => _entries.Values.Sum(e => e.Current?.Block.Bytes ?? 0);

    /// <summary>How many users' blocks are kept now.</summary>
    public int Count => _entries.Values.Count(e => e.Current is not null);

    /// <summary>The user's current vectors under <paramref name="modelId"/>, as of the version read at the start of this call or later.</summary>
    public async Task<VectorBlock> GetAsync(HatchDbContext db, string userId, string modelId, CancellationToken cancellationToken = default)
    {
        // Read before any vector is: whatever the block then holds is at least this version.
        var (version, removals) = await db.LibraryVersionAsync(userId, cancellationToken);
        var key = (userId, modelId);
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        Volatile.Write(ref entry.LastUsed, Stopwatch.GetTimestamp());
        var current = entry.Latest;
        if (current is not null && current.Version == version) return current.Block;

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            current = entry.Latest;
            if (current is not null && current.Version == version) return current.Block;
            var next = current is not null && current.Removals == removals
                ? await AppendAsync(db, userId, modelId, current, version, cancellationToken)
                : null;
            next ??= await LoadAsync(db, userId, modelId, version, removals, cancellationToken);
            entry.Current = next;
            Trim(keep: key);
            entry.Unkept = entry.Current is null ? new UnkeptSnapshot(next) : null;
            return next.Block;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Drops every kept block (tests and the benchmark measure the cold path with it).</summary>
    public void Clear()
    {
        foreach (var entry in _entries.Values) (entry.Current, entry.Unkept) = (null, null);
    }

    private static IQueryable<HighlightEmbedding> VectorsOf(HatchDbContext db, string userId, string modelId) =>
        db.HighlightsOf(userId).Join(db.HighlightEmbeddings.Where(e => e.ModelId == modelId), h => h.Id, e => e.HighlightId, (h, e) => e);

    private async Task<Snapshot> LoadAsync(HatchDbContext db, string userId, string modelId, long version, long removals, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var expected = await VectorsOf(db, userId, modelId).CountAsync(cancellationToken);
        VectorBlock? block = null;
        var newest = DateTimeOffset.MinValue;
        var chunk = new List<(Guid, float[])>(LoadChunk);
        // Streamed in chunks straight into one block sized by the count: the rows never exist as a list of objects.
        await foreach (var row in VectorsOf(db, userId, modelId).AsNoTracking()
                           .Select(e => new { e.HighlightId, e.Dimensions, e.Vector, e.CreatedAt })
                           .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            block ??= VectorBlock.Empty(row.Dimensions, expected);
            chunk.Add((row.HighlightId, MemoryMarshal.Cast<byte, float>(row.Vector).ToArray()));
            if (row.CreatedAt > newest) newest = row.CreatedAt;
            if (chunk.Count == LoadChunk) { block = block.Append(chunk); chunk.Clear(); }
        }
        block = (block ?? VectorBlock.Empty(0)).Append(chunk);
        LogLoaded(userId, modelId, block.Count, block.Bytes / (1024 * 1024), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new Snapshot(block, version, removals, newest);
    }

    private async Task<Snapshot?> AppendAsync(HatchDbContext db, string userId, string modelId, Snapshot current, long version, CancellationToken cancellationToken)
    {
        var since = current.Newest == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : current.Newest - AppendOverlap;
        var rows = await VectorsOf(db, userId, modelId).AsNoTracking()
            .Where(e => e.CreatedAt >= since)
            .Select(e => new { e.HighlightId, e.Vector, e.CreatedAt })
            .ToListAsync(cancellationToken);
        var block = current.Block.Count == 0 && rows.Count > 0
            ? VectorBlock.Empty(rows[0].Vector.Length / sizeof(float))
            : current.Block;
        block = block.Append(rows.Select(r => (r.HighlightId, MemoryMarshal.Cast<byte, float>(r.Vector).ToArray())).ToArray());
        var total = await VectorsOf(db, userId, modelId).CountAsync(cancellationToken);
        if (total != block.Count)
        {
            LogAppendMissed(userId, block.Count, total);
            return null;
        }
        var newest = rows.Count == 0 ? current.Newest : rows.Max(r => r.CreatedAt);
        return new Snapshot(block, version, current.Removals, newest > current.Newest ? newest : current.Newest);
    }

    /// <summary>Drops the least recently used blocks until the rest fit the budget; a block alone over budget is not kept either.</summary>
    private void Trim((string, string)? keep)
    {
        var budget = Interlocked.Read(ref _budgetBytes);
        lock (_entries)
        {
            var kept = _entries.Where(kv => kv.Value.Current is not null)
                .OrderBy(kv => keep is { } k && kv.Key == k ? 1 : 0)
                .ThenBy(kv => Volatile.Read(ref kv.Value.LastUsed))
                .ToList();
            var total = kept.Sum(kv => kv.Value.Current!.Block.Bytes);
            foreach (var (key, entry) in kept)
            {
                if (total <= budget) break;
                var bytes = entry.Current?.Block.Bytes ?? 0;
                entry.Current = null;
                total -= bytes;
                LogEvicted(key.UserId, key.ModelId, bytes / (1024 * 1024), budget / (1024 * 1024));
            }
        }
    }

    public void Dispose() => _onChange?.Dispose();

    [LoggerMessage(LogLevel.Information, "Loaded {Count} vectors of user {UserId} under {ModelId} into memory ({Megabytes} MB) in {Milliseconds:F0} ms")]
    private partial void LogLoaded(string userId, string modelId, int count, long megabytes, double milliseconds);

    [LoggerMessage(LogLevel.Information, "Dropped the in-memory vectors of user {UserId} under {ModelId} ({Megabytes} MB) to stay within {BudgetMegabytes} MB")]
    private partial void LogEvicted(string userId, string modelId, long megabytes, long budgetMegabytes);

    [LoggerMessage(LogLevel.Information, "Appending new vectors of user {UserId} left {Count} in memory against {Stored} stored; reloading")]
    private partial void LogAppendMissed(string userId, int count, long stored);
}
