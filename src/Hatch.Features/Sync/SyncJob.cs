using System.Globalization;
using System.Security.Cryptography;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Connections;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.Writing.Importing;
using Hatch.Writing.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Sync;

/// <summary>What one sync run did.</summary>
public sealed record SyncOutcome(ConnectionStatus Status, int Pages, int Imported, int Updated, int Removed, int Skipped, string? Error);

/// <summary>
/// Syncs one connection: takes the connection's lease (a row update that only one worker in any process can win),
/// then reads the service page by page from where the connection's cursor stands, adds each page to the library
/// and saves the cursor with it in one transaction, so a run killed mid-way continues from its last whole page and
/// never adds anything twice. Each upstream item's id is kept against the highlight it became
/// (<see cref="SyncedHighlight"/>), so an item edited upstream updates its highlight here.
/// </summary>
/// <remarks>
/// The retry lives here and only here (the HTTP clients do not retry, Hangfire does not retry this job): a 429 is
/// waited out for its Retry-After and the same page asked again; a server error or a network fault is tried again
/// with a doubling back-off up to <see cref="SyncOptions.MaxAttempts"/>, and then the connection is marked Failed
/// with the reason and keeps its cursor for the next run; a rejected token (401/403) marks it NeedsToken and stops.
/// </remarks>
public sealed partial class SyncJob(
    HatchDbContext db,
    ReadwiseClient readwise,
    HypothesisClient hypothesis,
    IConnectionTokenProtector tokens,
    HighlightIntake intake,
    TimeProvider time,
    IOptions<SyncOptions> options,
    IOptions<HatchLimits> limits,
    ILogger<SyncJob> logger)
{
    /// <summary>This run's name on the lease, so it only ever renews or releases its own.</summary>
    private readonly string _leaseOwner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    private int _rateLimitWaits;

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid connectionId, CancellationToken cancellationToken) => SyncAsync(connectionId, cancellationToken);

    public async Task<SyncOutcome?> SyncAsync(Guid connectionId, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["ConnectionId"] = connectionId });
        if (!await ClaimAsync(connectionId, cancellationToken))
        {
            LogNotClaimed(connectionId);
            return null;
        }
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == connectionId, cancellationToken);
        var run = new RunCounts();
        try
        {
            var token = tokens.Unprotect(connection.ProtectedToken);
            if (connection.Service == ConnectionServices.Readwise) await SyncReadwiseAsync(connection, token, run, cancellationToken);
            else await SyncHypothesisAsync(connection, token, run, cancellationToken);
            await FinishAsync(connection, ConnectionStatus.Idle, null, finished: true, cancellationToken);
            LogSynced(connectionId, connection.Service, run.Pages, run.Imported, run.Updated, run.Removed, run.Skipped);
            Hatch.Writing.Telemetry.HatchTelemetry.RecordSync(connection.Service, "succeeded", run.Imported + run.Updated);
            return run.Outcome(ConnectionStatus.Idle, null);
        }
        catch (SyncHttpException ex) when (ex.TokenRejected)
        {
            LogTokenRejected(connectionId, connection.Service, ex.Status ?? 0);
            await FinishAsync(connection, ConnectionStatus.NeedsToken, ex.Message, finished: false, cancellationToken);
            return run.Outcome(ConnectionStatus.NeedsToken, ex.Message);
        }
        catch (CryptographicException ex)
        {
            // The keys that encrypted the token are gone (a new key store): only a new token helps.
            const string reason = "Hatch can no longer read this connection's token (its encryption keys changed); add the token again";
            LogTokenUnreadable(ex, connectionId);
            await FinishAsync(connection, ConnectionStatus.NeedsToken, reason, finished: false, cancellationToken);
            return run.Outcome(ConnectionStatus.NeedsToken, reason);
        }
        catch (LibraryFullException full)
        {
            // The page that would pass the quota was rolled back whole; its cursor is kept, so the sync goes on from
            // there once the reader has room (or the quota is raised).
            var reason = $"The sync stopped: {limits.Value.LibraryFull(full.Stored, full.Adding)}. Delete highlights you no longer need, then sync again";
            LogFailed(full, connectionId, connection.Service, reason, null);
            await FinishAsync(connection, ConnectionStatus.Failed, reason, finished: false, CancellationToken.None);
            return run.Outcome(ConnectionStatus.Failed, reason);
        }
        catch (LeaseLostException ex)
        {
            LogLeaseLost(connectionId);
            return run.Outcome(ConnectionStatus.Syncing, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reader sees a plain reason and an error id; what the service or the network said (an address, a
            // parser's message, a database error) stays in the log under that id. Something of Hatch's own (the
            // database, a bug) is shown as such. Either way the cursor is kept for the next run.
            var errorId = ErrorIds.Next();
            var plain = ex is SyncHttpException http ? http.Message : "The sync stopped on an error in Hatch; it will try again at the next sync";
            var reason = $"{plain} (error id {errorId})";
            LogFailed(ex, connectionId, connection.Service, ex is SyncHttpException ? Describe(ex) : ex.Message, errorId);
            await FinishAsync(connection, ConnectionStatus.Failed, reason, finished: false, CancellationToken.None);
            return run.Outcome(ConnectionStatus.Failed, reason);
        }
    }

    /// <summary>The shown message and what lies beneath it (the network's or the parser's words), for the log.</summary>
    private static string Describe(Exception ex)
    {
        var detail = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is not SyncHttpException) detail += $" <- {inner.Message}";
        return detail;
    }

    private sealed class RunCounts
    {
        public int Pages, Imported, Updated, Removed, Skipped;
        public SyncOutcome Outcome(ConnectionStatus status, string? error) => new(status, Pages, Imported, Updated, Removed, Skipped, error);
    }

    private sealed class LeaseLostException() : Exception("Another sync took this connection over");

    private async Task SyncReadwiseAsync(Connection connection, string token, RunCounts run, CancellationToken cancellationToken)
    {
        // A run in progress keeps the question it started with; a new one asks for what changed since the last finished run began.
        var (cursor, updatedAfter) = await StartRunAsync(connection, connection.Watermark, cancellationToken);
        while (true)
        {
            var page = await CallAsync(() => readwise.ExportAsync(token, updatedAfter, cursor, cancellationToken), cancellationToken);
            var items = (page.Results ?? []).SelectMany(ReadwiseExportMapper.Map).ToList();
            var next = page.Cursor;
            await StorePageAsync(connection, items, next, run, cancellationToken);
            if (next is null) return;
            cursor = next;
        }
    }

    private async Task SyncHypothesisAsync(Connection connection, string token, RunCounts run, CancellationToken cancellationToken)
    {
        var (cursor, searchAfter) = await StartRunAsync(connection, connection.Watermark, cancellationToken);
        var user = HypothesisAccount.UserId(connection.Username, connection.Authority);
        var limit = Math.Min(200, options.Value.Hypothesis.PageSize);
        var after = cursor ?? searchAfter;
        // search_after is strictly after: an annotation sharing the last one's `updated` stamp past a page's end (or
        // past the last run's watermark) would never be asked for. Each request starts a millisecond earlier, and the
        // annotations this run has already stored are dropped; a page with nothing new moves strictly on, so the run
        // always progresses. Storing an annotation twice (after a resume) is harmless: its upstream id maps to one row.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ask = after is null ? null : JustBefore(after);
        while (true)
        {
            var rows = await CallAsync(() => hypothesis.SearchAsync(token, user, ask, limit, cancellationToken), cancellationToken);
            if (rows.Count == 0) break;
            var fresh = rows.Select((a, i) => (Annotation: a, Index: i)).Where(r => seen.Add(r.Annotation.Id)).ToList();
            after = rows[^1].Updated;
            await StorePageAsync(connection, fresh.Select(r => ToItem(r.Annotation, r.Index)).ToList(), after, run, cancellationToken);
            if (rows.Count < limit) break;
            ask = fresh.Count > 0 ? JustBefore(after) : after;
        }
        var every = options.Value.Hypothesis.ReconcileEvery;
        if ((connection.ReconciledAt ?? connection.CreatedAt) + every <= time.GetUtcNow())
            await ReconcileHypothesisAsync(connection, token, user, limit, run, cancellationToken);
    }

    /// <summary>
    /// Follows deletions the search does not report: lists every annotation id of the account (the same search, paged
    /// by <c>search_after</c>), and only once the listing is complete removes the synced highlights and page notes whose
    /// id is gone, by the rule of Readwise's <c>is_deleted</c> (a highlight a draft cites is kept and marked). A listing
    /// that fails part-way throws before anything is removed, and leaves <see cref="Connection.ReconciledAt"/> as it
    /// was, so the next sync tries again.
    /// </summary>
    private async Task ReconcileHypothesisAsync(Connection connection, string token, string user, int limit, RunCounts run, CancellationToken cancellationToken)
    {
        var upstream = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        try
        {
            while (true)
            {
                var page = await CallAsync(() => hypothesis.SearchIdsAsync(token, user, after, limit, cancellationToken), cancellationToken);
                var newIds = page.Ids.Count(upstream.Add);
                if (page.Rows < limit || page.LastUpdated is null) break;
                // search_after is strictly after: annotations sharing the last one's `updated` past the page's end would be
                // skipped, and then taken for deleted. The next page starts a millisecond earlier (the set drops repeats);
                // a page with nothing new moves strictly on, so the listing always progresses.
                after = newIds > 0 ? JustBefore(page.LastUpdated) : page.LastUpdated;
                // A long listing keeps the connection's lease as the pages of a sync do.
                var now = time.GetUtcNow().ToUniversalTime();
                var until = now + options.Value.Lease;
                if (await MineAsync(connection.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseUntil, until), cancellationToken) == 0)
                    throw new LeaseLostException();
            }
        }
        catch (SyncHttpException ex) when (!ex.TokenRejected)
        {
            throw new SyncHttpException($"Listing the Hypothesis annotations to find deletions failed, so nothing was removed: {ex.Message}", ex.Status, ex.RetryAfter, ex);
        }

        var userId = connection.UserId;
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var highlights = await db.SyncedHighlights.AsNoTracking().Where(m => m.ConnectionId == connection.Id)
            .Select(m => new { m.ExternalId, m.HighlightId }).ToListAsync(cancellationToken);
        var goneHighlights = highlights.Where(m => !upstream.Contains(m.ExternalId)).ToList();
        var removed = 0;
        if (goneHighlights.Count > 0)
        {
            // A highlight another upstream item still maps to (two annotations of one passage, another connection) stays.
            var goneIds = goneHighlights.Select(m => m.ExternalId).ToHashSet(StringComparer.Ordinal);
            var candidates = goneHighlights.Select(m => m.HighlightId).Distinct().ToArray();
            var stillMapped = new HashSet<Guid>();
            foreach (var chunk in candidates.Chunk(500))
                foreach (var m in await db.SyncedHighlights.AsNoTracking().Where(m => chunk.Contains(m.HighlightId)).ToListAsync(cancellationToken))
                    if (!(m.ConnectionId == connection.Id && goneIds.Contains(m.ExternalId)))
                        stillMapped.Add(m.HighlightId);
            removed += await RemoveDeletedAsync(userId, candidates.Where(id => !stillMapped.Contains(id)).ToList(), cancellationToken);
            // The gone ids are forgotten (a kept, cited highlight is marked once and not looked at again).
            foreach (var chunk in goneIds.Chunk(500))
                await db.SyncedHighlights.Where(m => m.ConnectionId == connection.Id && chunk.Contains(m.ExternalId)).ExecuteDeleteAsync(cancellationToken);
        }
        var notes = await db.SyncedNotes.AsNoTracking().Where(m => m.ConnectionId == connection.Id).ToListAsync(cancellationToken);
        removed += await RemoveNotesAsync(connection.Id, userId, notes.Where(m => !upstream.Contains(m.ExternalId)).ToList(), cancellationToken);

        var reconciledAt = time.GetUtcNow().ToUniversalTime();
        if (await MineAsync(connection.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReconciledAt, reconciledAt), cancellationToken) == 0)
            throw new LeaseLostException();
        await transaction.CommitAsync(cancellationToken);
        run.Removed += removed;
        LogReconciled(connection.Id, upstream.Count, goneHighlights.Count, removed);
    }

    /// <summary>
    /// Within a millisecond: the database keeps less than .NET's 100 ns (PostgreSQL rounds to microseconds, SQLite's
    /// binary form truncates to 0.1 ms), so an item sent again unchanged must not read as edited because its stamp lost digits.
    /// </summary>
    private static bool SameInstant(DateTimeOffset? stored, DateTimeOffset? upstream) =>
        stored is null || upstream is null
            ? stored is null && upstream is null
            : Math.Abs((stored.Value - upstream.Value).Ticks) < TimeSpan.TicksPerMillisecond;

    /// <summary>A Hypothesis <c>updated</c> stamp a millisecond earlier, in its own format; unreadable ones stay as they are.</summary>
    private static string JustBefore(string updated) =>
        DateTimeOffset.TryParse(updated, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime().AddMilliseconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture)
            : updated;

    private static UpstreamItem ToItem(HypothesisAnnotation annotation, int index)
    {
        var row = HypothesisImporter.ReadRow(annotation.Row, $"$.rows[{index}]");
        return row.Kind switch
        {
            HypothesisRowKind.Highlight => new UpstreamItem(annotation.Id, row.Highlight),
            HypothesisRowKind.PageNote when row.Note is { } note => new UpstreamItem(annotation.Id, Note: note),
            _ => new UpstreamItem(annotation.Id, Skipped: row.Message),
        };
    }

    /// <summary>Marks the run started (once) and returns where it continues and what it asks for.</summary>
    private async Task<(string? Cursor, string? Watermark)> StartRunAsync(Connection connection, string? watermark, CancellationToken cancellationToken)
    {
        if (connection.RunStartedAt is not null) return (connection.Cursor, connection.RunWatermark);
        var now = time.GetUtcNow().ToUniversalTime();
        await MineAsync(connection.Id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.RunStartedAt, now)
            .SetProperty(c => c.RunWatermark, watermark)
            .SetProperty(c => c.Cursor, (string?)null), cancellationToken);
        return (null, watermark);
    }

    /// <summary>
    /// One page into the library and the cursor past it, in one transaction: edits update their highlights, deletions
    /// remove theirs (unless a draft cites one), new items go through the library's de-duplicating add, and each
    /// upstream id is remembered against its highlight. Then the usual follow-up of an import (embeddings, near-duplicates).
    /// </summary>
    private async Task StorePageAsync(Connection connection, IReadOnlyList<UpstreamItem> items, string? nextCursor, RunCounts run, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var userId = connection.UserId;
        List<StoredHighlight> added;
        var updatedIds = new List<Guid>();
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var ids = items.Select(i => i.ExternalId).Distinct().ToArray();
            var known = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var chunk in ids.Chunk(500))
                foreach (var m in await db.SyncedHighlights.AsNoTracking()
                             .Where(m => m.ConnectionId == connection.Id && chunk.Contains(m.ExternalId)).ToListAsync(cancellationToken))
                    known[m.ExternalId] = m.HighlightId;

            // The same field limits as an import or the API: an upstream item over one is skipped with its reason.
            items = items.Select(i => i.Highlight is { } h && limits.Value.TooLong(h, out _) is { } tooLong
                ? i with { Highlight = null, Skipped = tooLong } : i).ToList();
            run.Skipped += items.Count(i => i.Skipped is not null && !i.Deleted);
            run.Removed += await RemoveDeletedAsync(userId, items.Where(i => i.Deleted && known.ContainsKey(i.ExternalId)).Select(i => known[i.ExternalId]).ToList(), cancellationToken);
            (var updated, updatedIds) = await UpdateEditedAsync(userId, items.Where(i => i.Highlight is not null && known.ContainsKey(i.ExternalId))
                .Select(i => (known[i.ExternalId], i.Highlight!)).ToList(), now, cancellationToken);
            run.Updated += updated;

            var fresh = items.Where(i => i.Highlight is not null && !known.ContainsKey(i.ExternalId)).ToList();
            added = [.. await db.AddNewHighlightsAsync(userId, fresh.Select(i => i.Highlight!).ToList(), now, cancellationToken, limits.Value.MaxHighlightsPerUser)];
            await MapAsync(connection.Id, userId, fresh, added, cancellationToken);
            run.Updated += await StoreNotesAsync(connection.Id, userId, items.Where(i => i.Note is not null).ToList(), now, cancellationToken);

            run.Imported += added.Count;
            run.Pages++;
            var leaseUntil = now + options.Value.Lease;
            var addedCount = added.Count;
            var renewed = await MineAsync(connection.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Cursor, nextCursor)
                .SetProperty(c => c.Imported, c => c.Imported + addedCount)
                .SetProperty(c => c.LeaseUntil, leaseUntil)
                .SetProperty(c => c.UpdatedAt, now), cancellationToken);
            if (renewed == 0) throw new LeaseLostException();
            await transaction.CommitAsync(cancellationToken);
        }
        var followUp = added.Select(h => h.Id).Concat(updatedIds).ToList();
        if (followUp.Count > 0) await intake.FollowUpAsync(userId, followUp, cancellationToken);
    }

    /// <summary>Remembers which highlight each new upstream item became: the one just stored, or the one the library already had.</summary>
    private async Task MapAsync(Guid connectionId, string userId, IReadOnlyList<UpstreamItem> fresh, IReadOnlyList<StoredHighlight> added, CancellationToken cancellationToken)
    {
        if (fresh.Count == 0) return;
        var byHash = added.ToDictionary(h => h.ContentHash, h => h.Id, StringComparer.Ordinal);
        var missing = fresh.Select(i => i.Highlight!.ContentHash).Where(h => !byHash.ContainsKey(h)).Distinct().ToArray();
        foreach (var chunk in missing.Chunk(500))
            foreach (var (hash, id) in await db.HighlightsOf(userId).Where(h => chunk.Contains(h.ContentHash))
                         .Select(h => new ValueTuple<string, Guid>(h.ContentHash, h.Id)).ToListAsync(cancellationToken))
                byHash[hash] = id;
        foreach (var item in fresh.DistinctBy(i => i.ExternalId))
            if (byHash.TryGetValue(item.Highlight!.ContentHash, out var highlightId))
                db.SyncedHighlights.Add(new SyncedHighlight { ConnectionId = connectionId, ExternalId = item.ExternalId, HighlightId = highlightId });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    /// <summary>
    /// Page notes by their upstream id (<see cref="SyncedNote"/>): a new one goes through the library's de-duplicating
    /// add and is mapped to the note it became; a known one edited upstream replaces the stored note's text (a note's
    /// identity is its text, so without the mapping the edit would arrive as a second note); one marked deleted is removed.
    /// </summary>
    /// <returns>How many stored notes an edit changed or a deletion removed.</returns>
    private async Task<int> StoreNotesAsync(Guid connectionId, string userId, IReadOnlyList<UpstreamItem> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (items.Count == 0) return 0;
        // The last version of an id in the page wins.
        var latest = items.GroupBy(i => i.ExternalId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var ids = latest.Select(i => i.ExternalId).ToArray();
        var known = new Dictionary<string, SyncedNote>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(500))
            foreach (var m in await db.SyncedNotes.Where(m => m.ConnectionId == connectionId && chunk.Contains(m.ExternalId)).ToListAsync(cancellationToken))
                known[m.ExternalId] = m;

        var changed = 0;
        var gone = latest.Where(i => i.Deleted && known.ContainsKey(i.ExternalId)).Select(i => known[i.ExternalId]).ToList();
        if (gone.Count > 0) changed += await RemoveNotesAsync(connectionId, userId, gone, cancellationToken);

        foreach (var item in latest.Where(i => !i.Deleted && known.ContainsKey(i.ExternalId)))
        {
            var mapping = known[item.ExternalId];
            var next = StoredSourceNote.From(userId, item.Note!, now);
            var row = await db.SourceNotesOf(userId).FirstOrDefaultAsync(n => n.Id == mapping.SourceNoteId, cancellationToken);
            if (row is null) continue; // removed here (the cascade took the mapping with it in the database)
            if (row.ContentHash == next.ContentHash && row.Text == next.Text && row.SourceUrl == next.SourceUrl && row.SourceAuthor == next.SourceAuthor)
                continue;
            var sameAsOther = await db.SourceNotesOf(userId).Where(n => n.ContentHash == next.ContentHash && n.Id != row.Id)
                .Select(n => (Guid?)n.Id).FirstOrDefaultAsync(cancellationToken);
            var shared = await db.SyncedNotes.AnyAsync(m => m.SourceNoteId == row.Id && !(m.ConnectionId == connectionId && m.ExternalId == item.ExternalId), cancellationToken);
            if (sameAsOther is { } otherId)
            {
                // The edit made it the same as a note the library already holds (each note is kept once): point at that one.
                mapping.SourceNoteId = otherId;
                if (!shared) db.SourceNotes.Remove(row);
            }
            else if (shared)
            {
                // Another upstream note still says the old text: it keeps the stored note, this one gets its own.
                db.SourceNotes.Add(next);
                mapping.SourceNoteId = next.Id;
            }
            else
            {
                row.ContentHash = next.ContentHash;
                row.Text = next.Text;
                row.SourceTitle = next.SourceTitle;
                row.SourceAuthor = next.SourceAuthor;
                row.SourceUrl = next.SourceUrl;
                row.Page = next.Page;
                row.Location = next.Location;
                row.Offset = next.Offset;
                row.WrittenAt = next.WrittenAt;
                row.WrittenAtIsLocal = next.WrittenAtIsLocal;
            }
            await db.SaveChangesAsync(cancellationToken);
            changed++;
        }
        db.ChangeTracker.Clear();

        var fresh = latest.Where(i => !i.Deleted && !known.ContainsKey(i.ExternalId)).ToList();
        if (fresh.Count > 0)
        {
            await db.AddNewSourceNotesAsync(userId, fresh.Select(i => i.Note!).ToList(), now, cancellationToken);
            var hashes = fresh.Select(i => StoredSourceNote.ComputeContentHash(i.Note!)).Distinct().ToArray();
            var byHash = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var chunk in hashes.Chunk(500))
                foreach (var (hash, id) in await db.SourceNotesOf(userId).Where(n => chunk.Contains(n.ContentHash))
                             .Select(n => new ValueTuple<string, Guid>(n.ContentHash, n.Id)).ToListAsync(cancellationToken))
                    byHash[hash] = id;
            foreach (var item in fresh)
                if (byHash.TryGetValue(StoredSourceNote.ComputeContentHash(item.Note!), out var noteId))
                    db.SyncedNotes.Add(new SyncedNote { ConnectionId = connectionId, ExternalId = item.ExternalId, SourceNoteId = noteId });
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        return changed;
    }

    /// <summary>
    /// Removes the notes of upstream page notes that are gone, and their mappings. A note another upstream id still maps
    /// to stays (only the gone id's mapping goes). Drafts cite highlights, never notes, so no note needs keeping.
    /// </summary>
    private async Task<int> RemoveNotesAsync(Guid connectionId, string userId, IReadOnlyList<SyncedNote> gone, CancellationToken cancellationToken)
    {
        if (gone.Count == 0) return 0;
        var goneIds = gone.Select(m => m.ExternalId).ToHashSet(StringComparer.Ordinal);
        var noteIds = gone.Select(m => m.SourceNoteId).Distinct().ToArray();
        var stillMapped = new HashSet<Guid>();
        foreach (var chunk in noteIds.Chunk(500))
            foreach (var m in await db.SyncedNotes.AsNoTracking().Where(m => chunk.Contains(m.SourceNoteId)).ToListAsync(cancellationToken))
                if (!(m.ConnectionId == connectionId && goneIds.Contains(m.ExternalId)))
                    stillMapped.Add(m.SourceNoteId);
        foreach (var chunk in goneIds.Chunk(500))
            await db.SyncedNotes.Where(m => m.ConnectionId == connectionId && chunk.Contains(m.ExternalId)).ExecuteDeleteAsync(cancellationToken);
        var removable = noteIds.Where(id => !stillMapped.Contains(id)).ToArray();
        var removed = 0;
        foreach (var chunk in removable.Chunk(500))
            removed += await db.SourceNotesOf(userId).Where(n => chunk.Contains(n.Id)).ExecuteDeleteAsync(cancellationToken);
        return removed;
    }

    /// <summary>
    /// Applies upstream edits to the highlights they became. An edit whose new text and source match another highlight
    /// of the library already keeps the old text (the library holds each passage once) but takes the note and tags.
    /// </summary>
    /// <returns>How many changed, and those whose words changed (they need a new vector).</returns>
    private async Task<(int Changed, List<Guid> TextChanged)> UpdateEditedAsync(string userId, IReadOnlyList<(Guid Id, Highlight Highlight)> edits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (edits.Count == 0) return (0, []);
        var ids = edits.Select(e => e.Id).ToArray();
        var stored = await db.HighlightsOf(userId).Where(h => ids.Contains(h.Id)).ToDictionaryAsync(h => h.Id, cancellationToken);
        var textChanged = new List<Guid>();
        var changed = 0;
        foreach (var (id, highlight) in edits)
        {
            if (!stored.TryGetValue(id, out var row)) continue;
            var next = StoredHighlight.From(userId, highlight, now);
            var sameText = row.ContentHash == next.ContentHash;
            if (sameText && row.Text == next.Text && row.Note == next.Note && row.Tags == next.Tags && row.Color == next.Color
                && row.Page == next.Page && row.Location == next.Location && row.Offset == next.Offset && row.SourceUrl == next.SourceUrl
                && row.SourceAuthor == next.SourceAuthor && SameInstant(row.HighlightedAt, next.HighlightedAt))
                continue;
            if (!sameText && !await db.HighlightsOf(userId).AnyAsync(h => h.ContentHash == next.ContentHash && h.Id != id, cancellationToken))
            {
                row.ContentHash = next.ContentHash;
                row.Text = next.Text;
                row.SourceTitle = next.SourceTitle;
                // New words need a new vector and a new look for near-duplicates.
                row.DuplicateCheckedAt = null;
                row.ProbableDuplicateOfId = null;
                row.ProbableDuplicateCosine = null;
                textChanged.Add(id);
            }
            row.Note = next.Note;
            row.Tags = next.Tags;
            row.Color = next.Color;
            row.Page = next.Page;
            row.Location = next.Location;
            row.Offset = next.Offset;
            row.SourceAuthor = next.SourceAuthor;
            row.SourceUrl = next.SourceUrl;
            row.HighlightedAt = next.HighlightedAt;
            changed++;
        }
        if (textChanged.Count > 0)
        {
            var stale = textChanged.ToArray();
            await db.HighlightEmbeddings.Where(e => stale.Contains(e.HighlightId)).ExecuteDeleteAsync(cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (changed, textChanged);
    }

    /// <summary>
    /// Removes highlights deleted upstream, except those a draft cites: an article's citations must keep resolving, so
    /// those are kept and marked (<see cref="StoredHighlight.DeletedUpstreamAt"/>).
    /// </summary>
    private async Task<int> RemoveDeletedAsync(string userId, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return 0;
        var candidates = ids.Distinct().ToArray();
        var cited = await db.DraftHighlights.Where(d => candidates.Contains(d.HighlightId)).Select(d => d.HighlightId).Distinct().ToListAsync(cancellationToken);
        var removable = candidates.Except(cited).ToArray();
        if (cited.Count > 0)
        {
            var keep = cited.ToArray();
            var now = time.GetUtcNow().ToUniversalTime();
            await db.HighlightsOf(userId).Where(h => keep.Contains(h.Id) && h.DeletedUpstreamAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.DeletedUpstreamAt, now), cancellationToken);
            LogDeletedButCited(cited.Count);
        }
        if (removable.Length == 0) return 0;
        return await db.HighlightsOf(userId).Where(h => removable.Contains(h.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The one retry layer: waits out 429s, retries faults with back-off, lets a rejected token through at once.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var attempt = 0;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (SyncHttpException ex) when (ex.RateLimited)
            {
                var wait = ex.RetryAfter ?? o.RetryBaseDelay;
                if (wait > o.MaxRetryAfter || ++_rateLimitWaits > o.MaxRateLimitWaits)
                    throw new SyncHttpException($"{ex.Message}; Hatch stopped for now and carries on from here at the next sync", 429, inner: ex);
                LogRateLimited(wait.TotalSeconds);
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (SyncHttpException ex) when (ex.Transient && ++attempt < o.MaxAttempts)
            {
                var backOff = o.RetryBaseDelay * Math.Pow(2, attempt - 1);
                LogRetrying(Describe(ex), attempt, backOff.TotalSeconds);
                await Task.Delay(backOff, time, cancellationToken);
            }
            catch (SyncHttpException ex) when (ex.Transient)
            {
                throw new SyncHttpException($"{ex.Message} (gave up after {attempt} tries)", ex.Status, inner: ex);
            }
        }
    }

    private IQueryable<Connection> MineAsync(Guid connectionId) =>
        db.Connections.Where(c => c.Id == connectionId && c.LeaseOwner == _leaseOwner);

    /// <summary>Takes the connection's lease if nobody holds it (or its holder stopped renewing): the only way a sync starts.</summary>
    private async Task<bool> ClaimAsync(Guid connectionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var until = now + options.Value.Lease;
        var syncing = ConnectionStatus.Syncing;
        var needsToken = ConnectionStatus.NeedsToken;
        var claimed = await db.Connections
            .Where(c => c.Id == connectionId && c.Status != needsToken && (c.LeaseUntil == null || c.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LeaseOwner, _leaseOwner)
                .SetProperty(c => c.LeaseUntil, until)
                .SetProperty(c => c.Status, syncing)
                .SetProperty(c => c.UpdatedAt, now), cancellationToken);
        return claimed == 1;
    }

    /// <summary>Records the outcome and lets go of the lease. A finished run moves the watermark on and forgets its cursor.</summary>
    private async Task FinishAsync(Connection connection, ConnectionStatus status, string? error, bool finished, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var next = now + options.Value.Interval;
        var mine = MineAsync(connection.Id);
        if (finished)
        {
            // Re-read: the run's start and (for Hypothesis) its cursor are on the row, not on the copy loaded at the start.
            var row = await db.Connections.AsNoTracking().Where(c => c.Id == connection.Id)
                .Select(c => new { c.RunStartedAt, c.Cursor, c.Watermark }).FirstOrDefaultAsync(cancellationToken);
            if (row is null) return;
            var watermark = connection.Service == ConnectionServices.Readwise
                ? ((row.RunStartedAt ?? now) - options.Value.Readwise.WatermarkOverlap).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)
                : row.Cursor ?? row.Watermark;
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, status)
                .SetProperty(c => c.Error, (string?)null)
                .SetProperty(c => c.LastSyncedAt, now)
                .SetProperty(c => c.Watermark, watermark)
                .SetProperty(c => c.Cursor, (string?)null)
                .SetProperty(c => c.RunStartedAt, (DateTimeOffset?)null)
                .SetProperty(c => c.RunWatermark, (string?)null)
                .SetProperty(c => c.NextSyncAt, next)
                .SetProperty(c => c.LeaseOwner, (string?)null)
                .SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(c => c.UpdatedAt, now), cancellationToken);
            return;
        }
        DateTimeOffset? due = status == ConnectionStatus.NeedsToken ? null : next;
        await mine.ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, status)
            .SetProperty(c => c.Error, error)
            .SetProperty(c => c.NextSyncAt, due)
            .SetProperty(c => c.LeaseOwner, (string?)null)
            .SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(c => c.UpdatedAt, now), cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Connection {ConnectionId} is syncing elsewhere or waits for a new token; this run stops")]
    private partial void LogNotClaimed(Guid connectionId);

    [LoggerMessage(LogLevel.Information, "Synced connection {ConnectionId} ({Service}): {Pages} page(s), {Imported} new, {Updated} updated, {Removed} removed, {Skipped} skipped")]
    private partial void LogSynced(Guid connectionId, string service, int pages, int imported, int updated, int removed, int skipped);

    [LoggerMessage(LogLevel.Warning, "{Service} rejected the token of connection {ConnectionId} ({Status}); syncs stop until the reader adds a new one")]
    private partial void LogTokenRejected(Guid connectionId, string service, int status);

    [LoggerMessage(LogLevel.Error, "The token of connection {ConnectionId} cannot be decrypted; the reader must add it again")]
    private partial void LogTokenUnreadable(Exception ex, Guid connectionId);

    [LoggerMessage(LogLevel.Warning, "Connection {ConnectionId} ({Service}) failed (error id {ErrorId}): {Reason}")]
    private partial void LogFailed(Exception ex, Guid connectionId, string service, string reason, string? errorId);

    [LoggerMessage(LogLevel.Warning, "Connection {ConnectionId} lost its lease mid-sync; the other run carries on")]
    private partial void LogLeaseLost(Guid connectionId);

    [LoggerMessage(LogLevel.Information, "Rate limited; waiting {Seconds:F0} s as asked")]
    private partial void LogRateLimited(double seconds);

    [LoggerMessage(LogLevel.Information, "{Reason}; try {Attempt} failed, trying again in {Seconds:F1} s")]
    private partial void LogRetrying(string reason, int attempt, double seconds);

    [LoggerMessage(LogLevel.Information, "Reconciled connection {ConnectionId}: {Upstream} annotation(s) upstream, {Gone} synced highlight(s) gone, {Removed} highlight(s) and note(s) removed")]
    private partial void LogReconciled(Guid connectionId, int upstream, int gone, int removed);

    [LoggerMessage(LogLevel.Information, "{Count} highlight(s) deleted upstream are cited by drafts: kept and marked")]
    private partial void LogDeletedButCited(int count);
}
