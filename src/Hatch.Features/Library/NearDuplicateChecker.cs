using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Library;

/// <summary>What one near-duplicate check found, and how many unchecked highlights still wait for their vector.</summary>
public sealed record NearDuplicateResult(IReadOnlyList<ProbableDuplicate> Found, int Checked, int WaitingForVectors);

/// <summary>
/// Compares highlights not yet checked (<see cref="StoredHighlight.DuplicateCheckedAt"/> is null) with every highlight
/// of the same user imported before them, by stored vector (<see cref="NearDuplicates"/>, threshold
/// <c>Hatch:Embeddings:NearDuplicateThreshold</c>), and stores what it finds on the highlight: reported, never dropped.
/// </summary>
/// <remarks>
/// Runs in the import for small imports (when the model is ready) and in <see cref="EmbeddingJob"/> after the
/// vectors are stored, so every import is checked whatever its size. Idempotent: the answer depends only on the
/// stored vectors and import times, so two runs at once write the same values, and the checked mark is set last.
/// A highlight without a vector yet stays unchecked until the job has one.
/// </remarks>
public sealed partial class NearDuplicateChecker(
    HatchDbContext db, EmbeddingStore store, IOptions<EmbeddingOptions> options, TimeProvider time, ILogger<NearDuplicateChecker> logger)
{
    public async Task<NearDuplicateResult> CheckAsync(string userId, IReadOnlyCollection<Guid>? only = null, CancellationToken cancellationToken = default)
    {
        var pendingQuery = db.HighlightsOf(userId).AsNoTracking().Where(h => h.DuplicateCheckedAt == null);
        var pending = new List<Pending>();
        if (only is not null)
        {
            foreach (var chunk in only.Distinct().Chunk(db.KeysPerLookup))
                pending.AddRange(await pendingQuery.Where(h => chunk.Contains(h.Id))
                    .Select(h => new Pending(h.Id, h.ImportedAt, h.Text)).ToListAsync(cancellationToken));
        }
        else
        {
            pending = await pendingQuery.Select(h => new Pending(h.Id, h.ImportedAt, h.Text)).ToListAsync(cancellationToken);
        }
        if (pending.Count == 0) return new([], 0, 0);

        var block = await store.IndexAsync(userId, cancellationToken);
        var ready = pending.Where(p => block.Contains(p.Id)).OrderBy(p => p.ImportedAt).ThenBy(p => p.Id).ToArray();
        var found = ready.Length == 0 ? [] : await FindAsync(userId, block, ready, cancellationToken);

        // The findings first, the checked mark last: a run that stops in between is simply repeated. Tracked rows
        // saved together rather than an UPDATE per finding: a large import finds hundreds, each a round trip.
        foreach (var chunk in found.Chunk(500))
        {
            var findings = chunk.ToDictionary(d => d.Id);
            var ids = findings.Keys.ToArray();
            var rows = await db.HighlightsOf(userId).Where(h => ids.Contains(h.Id)).ToListAsync(cancellationToken);
            foreach (var row in rows)
                (row.ProbableDuplicateOfId, row.ProbableDuplicateCosine) = (findings[row.Id].ExistingId, findings[row.Id].Cosine);
            try { await db.SaveChangesAsync(cancellationToken); }
            finally
            {
                // Only our rows: the context may be shared with a caller tracking its own entities.
                foreach (var row in rows) db.Entry(row).State = EntityState.Detached;
            }
        }
        var now = time.GetUtcNow();
        foreach (var chunk in ready.Select(p => p.Id).Chunk(db.KeysPerLookup))
            await db.HighlightsOf(userId).Where(h => chunk.Contains(h.Id) && h.DuplicateCheckedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.DuplicateCheckedAt, now), cancellationToken);
        if (ready.Length > 0) LogChecked(ready.Length, found.Count, userId);
        return new(found, ready.Length, pending.Count - ready.Length);
    }

    private sealed record Pending(Guid Id, DateTimeOffset ImportedAt, string Text);

    /// <summary>Library passages matched at once: enough to keep every core busy, few enough to hold (a few MB of text).</summary>
    private const int MatchBatch = 4096;

    /// <summary>
    /// Each new highlight against every highlight imported before its import and the new ones before it in the same
    /// import (an export can repeat itself): the closest with a cosine at or above the threshold and most words
    /// shared (<see cref="NearDuplicates"/>'s rule). The library is streamed past an index of the new highlights'
    /// words (<see cref="WordOverlapIndex"/>), never held whole; only passages sharing most of a new highlight's words
    /// have their cosine computed, with vectors from the in-memory block.
    /// </summary>
    private async Task<List<ProbableDuplicate>> FindAsync(string userId, VectorBlock block, Pending[] ready, CancellationToken cancellationToken)
    {
        var threshold = options.Value.NearDuplicateThreshold;
        var index = new WordOverlapIndex(ready.Select(p => p.Text).ToArray());
        var rows = ready.Select(p => block.TryGetRow(p.Id, out var row) ? row : -1).ToArray();

        var best = new (Guid ExistingId, float Cosine)?[ready.Length];
        void Consider(int i, Guid otherId, int otherRow)
        {
            // The first of the closest wins a tie: the library in id order, then the import's own earlier highlights.
            var cosine = VectorMath.Cosine(block.Row(rows[i]), block.Row(otherRow));
            if (cosine >= threshold && (best[i] is not { } b || cosine > b.Cosine)) best[i] = (otherId, cosine);
        }

        // The library imported before the last new import, in id order, streamed by one query: row by row, never
        // held whole. (Keyset pages of it cost a scan and sort of the reader's whole library each: twenty of them
        // at 100,000 highlights.) Its passages are matched a batch at a time on every core, each thread with its own
        // prober, and the matches then considered in id order, so the answer is the one a single thread gives.
        var latest = ready[^1].ImportedAt;
        var batch = new List<(Guid Id, string Text, DateTimeOffset ImportedAt, int Row)>(MatchBatch);
        var found = new WordOverlapMatch[MatchBatch][];
        var matchers = new ThreadLocal<(WordOverlapIndex.Prober Prober, List<WordOverlapMatch> Matches)>(
            () => (index.CreateProber(), []), trackAllValues: false);
        void MatchBatchAndConsider()
        {
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancellationToken }, k =>
            {
                var (prober, matches) = matchers.Value;
                prober.Match(batch[k].Text, matches);
                found[k] = matches.Count == 0 ? [] : matches.ToArray();
            });
            for (var k = 0; k < batch.Count; k++)
                foreach (var (i, _) in found[k])
                    if (ready[i].ImportedAt > batch[k].ImportedAt) Consider(i, batch[k].Id, batch[k].Row);
            batch.Clear();
        }
        using (matchers)
        {
            await foreach (var existing in db.HighlightsOf(userId).AsNoTracking()
                               .Where(h => h.ImportedAt < latest)
                               .OrderBy(h => h.Id)
                               .Select(h => new { h.Id, h.Text, h.ImportedAt })
                               .AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (!block.TryGetRow(existing.Id, out var existingRow)) continue;
                batch.Add((existing.Id, existing.Text, existing.ImportedAt, existingRow));
                if (batch.Count == MatchBatch) MatchBatchAndConsider();
            }
            if (batch.Count > 0) MatchBatchAndConsider();
        }

        var matches = new List<WordOverlapMatch>();
        // The new highlights of one import against those before them in it.
        for (var i = 0; i < ready.Length; i++)
        {
            index.MatchEarlier(i, matches);
            foreach (var (j, _) in matches)
                if (ready[j].ImportedAt == ready[i].ImportedAt) Consider(i, ready[j].Id, rows[j]);
        }

        var winners = best.Select((b, i) => (b, i)).Where(x => x.b is not null).ToArray();
        if (winners.Length == 0) return [];
        var existingIds = winners.Select(x => x.b!.Value.ExistingId).Distinct().ToArray();
        var described = new Dictionary<Guid, (string Text, string Source)>();
        foreach (var ids in existingIds.Chunk(500))
            foreach (var h in await db.HighlightsOf(userId).AsNoTracking().Where(h => ids.Contains(h.Id))
                         .Select(h => new { h.Id, h.Text, h.SourceTitle }).ToListAsync(cancellationToken))
                described[h.Id] = (h.Text, h.SourceTitle);
        return winners
            .Where(x => described.ContainsKey(x.b!.Value.ExistingId))
            .Select(x =>
            {
                var (existingId, cosine) = x.b!.Value;
                return new ProbableDuplicate(ready[x.i].Id, ready[x.i].Text, existingId, described[existingId].Text, described[existingId].Source, Math.Round(cosine, 4));
            })
            .ToList();
    }

    /// <summary>The user's highlights reported as probable duplicates whose earlier twin still exists, newest first.</summary>
    public async Task<IReadOnlyList<ProbableDuplicate>> ReportedAsync(string userId, int limit = 200, CancellationToken cancellationToken = default)
    {
        var rows = await db.HighlightsOf(userId).AsNoTracking()
            .Where(h => h.ProbableDuplicateOfId != null)
            .Join(db.HighlightsOf(userId), h => h.ProbableDuplicateOfId, e => (Guid?)e.Id,
                (h, e) => new { h.Id, h.Text, ExistingId = e.Id, ExistingText = e.Text, e.SourceTitle, h.ProbableDuplicateCosine, h.ImportedAt })
            .ToListAsync(cancellationToken);
        return rows
            .OrderByDescending(r => r.ImportedAt).ThenBy(r => r.Id)
            .Take(limit)
            .Select(r => new ProbableDuplicate(r.Id, r.Text, r.ExistingId, r.ExistingText, r.SourceTitle, r.ProbableDuplicateCosine ?? 0))
            .ToArray();
    }

    [LoggerMessage(LogLevel.Information, "Checked {Count} new highlights of user {UserId} for near-duplicates: {Found} probable duplicates")]
    private partial void LogChecked(int count, int found, string userId);
}
