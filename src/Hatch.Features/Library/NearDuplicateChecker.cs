using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
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
        var pending = await db.HighlightsOf(userId).AsNoTracking()
            .Where(h => h.DuplicateCheckedAt == null)
            .Select(h => new { h.Id, h.ImportedAt })
            .ToListAsync(cancellationToken);
        if (only is not null)
        {
            var wanted = only.ToHashSet();
            pending.RemoveAll(p => !wanted.Contains(p.Id));
        }
        if (pending.Count == 0) return new([], 0, 0);

        var library = await store.LibraryAsync(userId, cancellationToken);
        var byId = library.ToDictionary(h => h.Id);
        var importedAt = (await db.HighlightsOf(userId).AsNoTracking().Select(h => new { h.Id, h.ImportedAt }).ToListAsync(cancellationToken))
            .ToDictionary(h => h.Id, h => h.ImportedAt);
        var ready = pending.Where(p => byId.ContainsKey(p.Id)).ToArray();

        var found = new List<ProbableDuplicate>();
        // One import at a time, against everything imported before it: two imports checked in one run (or in either
        // order) give the same answer as two runs would, and the new highlights of one import are compared with
        // each other too (an export can repeat itself).
        foreach (var import in ready.GroupBy(p => p.ImportedAt).OrderBy(g => g.Key))
        {
            var incoming = import.OrderBy(p => p.Id).Select(p => byId[p.Id]).ToArray();
            var existing = library.Where(h => importedAt.TryGetValue(h.Id, out var at) && at < import.Key).ToArray();
            found.AddRange(NearDuplicates.Find(incoming, existing, options.Value.NearDuplicateThreshold)
                .Select(d => new ProbableDuplicate(d.NewId, byId[d.NewId].Text, d.ExistingId, byId[d.ExistingId].Text, byId[d.ExistingId].Source, Math.Round(d.Cosine, 4))));
        }

        // The findings first, the checked mark last: a run that stops in between is simply repeated.
        foreach (var d in found)
            await db.HighlightsOf(userId).Where(h => h.Id == d.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.ProbableDuplicateOfId, d.ExistingId).SetProperty(h => h.ProbableDuplicateCosine, d.Cosine), cancellationToken);
        var now = time.GetUtcNow();
        foreach (var chunk in ready.Select(p => p.Id).Chunk(500))
            await db.HighlightsOf(userId).Where(h => chunk.Contains(h.Id) && h.DuplicateCheckedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.DuplicateCheckedAt, now), cancellationToken);
        if (ready.Length > 0) LogChecked(ready.Length, found.Count, userId);
        return new(found, ready.Length, pending.Count - ready.Length);
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
