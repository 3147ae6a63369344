using System.Collections.Concurrent;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Hatch.Data;
using Hatch.Domain.Digests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Digests;

/// <summary>What one dispatcher pass did.</summary>
/// <param name="Planning">Time spent finding, planning and committing; the rest of a pass is enqueueing.</param>
public sealed record DispatchResult(int Due, int Planned, int Enqueued, int Orphans, TimeSpan Planning, TimeSpan Enqueueing);

/// <summary>
/// The one recurring digest job. Each pass takes due readers by the indexed <c>next_run_at</c> in batches; per batch,
/// in one transaction, it plans each reader's digest (<see cref="DigestPlanner.Plan(DigestSettings, DateTimeOffset?, DateTimeOffset, DateTimeOffset, DateTimeOffset)"/>),
/// inserts the digest row and moves <c>next_run_at</c> on; after the commit it enqueues one <see cref="DigestJob"/> per
/// digest. On PostgreSQL the batch is locked with <c>FOR UPDATE SKIP LOCKED</c>, so a second dispatcher takes other
/// readers; the unique (user, period key) index is the last word if two ever plan the same run.
/// </summary>
public sealed partial class DigestDispatcher(
    HatchDbContext db, IBackgroundJobClient jobs, JobStorage storage, TimeProvider time, IOptions<DigestOptions> options, ILogger<DigestDispatcher> logger)
{
    public const string RecurringJobId = "digest-dispatcher";

    private static readonly HashSet<string> LiveStates = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName,
    };

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task DispatchJobAsync(CancellationToken cancellationToken) => DispatchAsync(cancellationToken);

    public async Task<DispatchResult> DispatchAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        int due = 0, planned = 0, enqueued = 0;
        TimeSpan planning = default, enqueueing = default;
        while (due < o.MaxPerPass)
        {
            var started = time.GetTimestamp();
            var (taken, digests) = await PlanBatchAsync(Math.Min(o.BatchSize, o.MaxPerPass - due), cancellationToken);
            var committed = time.GetTimestamp();
            planning += time.GetElapsedTime(started, committed);
            due += taken;
            planned += digests.Count;
            enqueued += await EnqueueAsync(digests, cancellationToken);
            enqueueing += time.GetElapsedTime(committed);
            if (taken < o.BatchSize) break;
        }
        var orphans = 0;
        try
        {
            orphans = await SweepAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The digests planned above are committed and enqueued; a failed sweep waits for the next minute.
            LogSweepFailed(ex);
        }
        if (due > 0) LogPass(due, planned, enqueued, planning.TotalMilliseconds, enqueueing.TotalMilliseconds);
        return new DispatchResult(due, planned, enqueued, orphans, planning, enqueueing);
    }

    /// <summary>
    /// "Send me one now": a digest of the highlights added since the reader's last digest (or the last week), planned
    /// and enqueued at once. The schedule stays as it is (next_run_at is untouched); the period end moves to now, so
    /// the next scheduled digest starts where this one ends and never repeats its highlights.
    /// </summary>
    public async Task<StoredDigest> PlanNowAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var row = await db.DigestSettings.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null) db.DigestSettings.Add(row = StoredDigestSettings.For(userId, new DigestSettings(), null, now));
        var start = row.LastPeriodEnd is { } last && last < now ? last : now.AddDays(-7);
        var digest = StoredDigest.Plan(userId, new DigestPeriod(start, now), catchUp: false, now);
        // Its own key space: an on-demand digest never takes the key of a scheduled period.
        digest.PeriodKey = "now-" + now.UtcTicks.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        row.LastPeriodEnd = now;
        db.Digests.Add(digest);
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueDigestJobsAsync([digest.Id], cancellationToken);
        return digest;
    }

    /// <summary>Plans one batch in one transaction; returns how many readers were due and the digests it inserted.</summary>
    private async Task<(int Taken, List<StoredDigest> Digests)> PlanBatchAsync(int batch, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql()) return await PlanBatchInSqlAsync(batch, cancellationToken);
        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dueRows = await DueAsync(now, batch, cancellationToken);
        if (dueRows.Count == 0) return (0, []);

        var digests = new List<StoredDigest>();
        foreach (var row in dueRows)
        {
            if (PlanOne(row, now) is { } digest)
            {
                db.Digests.Add(digest);
                digests.Add(digest);
            }
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (dueRows.Count, digests);
        }
        catch (DbUpdateException ex)
        {
            // A digest of this batch exists already: another dispatcher planned it (on SQLite, or a lock was lost).
            // Redo the batch reader by reader, so one conflict costs only its own digest, never the others'.
            LogBatchConflict(ex, dueRows.Count);
            await transaction.RollbackAsync(CancellationToken.None);
            var userIds = dueRows.Select(r => r.UserId).ToArray();
            db.ChangeTracker.Clear();
            var kept = new List<StoredDigest>();
            foreach (var userId in userIds)
                if (await PlanAloneAsync(userId, cancellationToken) is { } digest) kept.Add(digest);
            return (dueRows.Count, kept);
        }
    }

    /// <summary>
    /// PostgreSQL: the same plan, written set-based so a batch costs three statements rather than two per reader. The
    /// insert's ON CONFLICT DO NOTHING is the unique key's verdict: a digest another dispatcher already planned is
    /// skipped quietly, and only the digests this pass inserted come back to be enqueued.
    /// </summary>
    private async Task<(int Taken, List<StoredDigest> Digests)> PlanBatchInSqlAsync(int batch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dueRows = await DueAsync(now, batch, cancellationToken);
        if (dueRows.Count == 0) return (0, []);

        var planned = new List<StoredDigest>(dueRows.Count);
        foreach (var row in dueRows)
            if (PlanOne(row, now) is { } digest) planned.Add(digest);

        var inserted = new HashSet<Guid>();
        if (planned.Count > 0)
        {
            var ids = planned.Select(d => d.Id).ToArray();
            var users = planned.Select(d => d.UserId).ToArray();
            var starts = planned.Select(d => d.PeriodStart.UtcDateTime).ToArray();
            var ends = planned.Select(d => d.PeriodEnd.UtcDateTime).ToArray();
            var keys = planned.Select(d => d.PeriodKey).ToArray();
            var catchUps = planned.Select(d => d.CatchUp).ToArray();
            var stamp = now.UtcDateTime;
            var status = nameof(DigestStatus.Queued);
            inserted = (await db.Database.SqlQuery<Guid>($"""
                INSERT INTO digests ("Id", "UserId", "PeriodStart", "PeriodEnd", "PeriodKey", "CatchUp", "Status", "CreatedAt", "UpdatedAt")
                SELECT v.id, v.user_id, v.period_start, v.period_end, v.period_key, v.catch_up, {status}, {stamp}, {stamp}
                FROM unnest({ids}, {users}, {starts}, {ends}, {keys}, {catchUps}) AS v(id, user_id, period_start, period_end, period_key, catch_up)
                ON CONFLICT ("UserId", "PeriodKey") DO NOTHING
                RETURNING "Id" AS "Value"
                """).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var lost in planned.Where(d => !inserted.Contains(d.Id)))
                LogDuplicate(lost.UserId, lost.PeriodKey);
        }

        var rowUsers = dueRows.Select(r => r.UserId).ToArray();
        var nexts = dueRows.Select(r => r.NextRunAt?.UtcDateTime).ToArray();
        var lasts = dueRows.Select(r => r.LastPeriodEnd?.UtcDateTime).ToArray();
        var updated = now.UtcDateTime;
        await db.Database.ExecuteSqlAsync($"""
            UPDATE digest_settings AS s SET "NextRunAt" = v.next_run_at, "LastPeriodEnd" = v.last_period_end, "UpdatedAt" = {updated}
            FROM unnest({rowUsers}, {nexts}, {lasts}) AS v(user_id, next_run_at, last_period_end)
            WHERE s."UserId" = v.user_id
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (dueRows.Count, planned.Where(d => inserted.Contains(d.Id)).ToList());
    }

    private async Task<StoredDigest?> PlanAloneAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = (await DueAsync(now, 1, cancellationToken, userId)).FirstOrDefault();
        if (row is null) return null; // no longer due: someone else moved it on
        var digest = PlanOne(row, now);
        if (digest is not null && await db.Digests.AnyAsync(d => d.UserId == userId && d.PeriodKey == digest.PeriodKey, cancellationToken))
        {
            LogDuplicate(userId, digest.PeriodKey);
            digest = null;
        }
        if (digest is not null) db.Digests.Add(digest);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return digest;
        }
        catch (DbUpdateException ex)
        {
            // Lost the race for this one period: the other dispatcher owns it and has moved next_run_at on.
            LogDuplicate(userId, digest?.PeriodKey ?? "?");
            logger.LogDebug(ex, "Duplicate digest for {UserId} skipped", userId);
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return null;
        }
    }

    /// <summary>Plans a due row in memory: moves <c>next_run_at</c> on and returns the digest to insert, if any.</summary>
    private StoredDigest? PlanOne(StoredDigestSettings row, DateTimeOffset now)
    {
        try
        {
            var settings = row.Settings;
            var plan = DigestPlanner.Plan(settings, row.LastPeriodEnd, row.EnabledAt ?? now, row.NextRunAt ?? now, now);
            row.NextRunAt = plan.NextRunAt;
            row.UpdatedAt = now;
            if (plan.Run is not { } period) return null;
            // Optimistically the new end: a skipped digest gives it back (DigestJob), so its highlights carry over.
            row.LastPeriodEnd = period.End;
            return StoredDigest.Plan(row.UserId, period, plan.CatchUp, now);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or InvalidDataException or InvalidOperationException)
        {
            // Stored settings that no longer compile (a time zone the system lost): stop scheduling them rather than
            // fail the whole batch every minute; saving the settings again reschedules.
            LogUnschedulable(ex, row.UserId);
            row.NextRunAt = null;
            row.UpdatedAt = now;
            return null;
        }
    }

    private Task<List<StoredDigestSettings>> DueAsync(DateTimeOffset now, int batch, CancellationToken cancellationToken, string? userId = null)
    {
        var utc = now.ToUniversalTime();
        if (db.Database.IsNpgsql() && userId is null)
        {
            // Row locks keep a second dispatcher off these readers until this transaction commits; SKIP LOCKED lets it
            // take the next readers instead of waiting. The ORDER BY + LIMIT walk the next_run_at index.
            return db.DigestSettings.FromSql($"""
                SELECT * FROM digest_settings
                WHERE "Enabled" AND "NextRunAt" <= {utc}
                ORDER BY "NextRunAt"
                LIMIT {batch}
                FOR UPDATE SKIP LOCKED
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        // SQLite has one writer at a time; its transaction is the lock. (PostgreSQL plans set-based and never gets here
        // with a user id.)
        var query = db.DigestSettings.Where(s => s.Enabled && s.NextRunAt <= utc);
        if (userId is not null) query = query.Where(s => s.UserId == userId);
        return query.OrderBy(s => s.NextRunAt).Take(batch).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Hands the committed digests to Hangfire. Up to <see cref="DigestOptions.FanOutSize"/> digests get their own
    /// <see cref="DigestJob"/> at once; a bigger batch is split into fan-out jobs of that many digests, each of which
    /// enqueues its digests' jobs on a worker (<see cref="FanOutAsync"/>). An enqueue costs a few storage round trips,
    /// so 10,000 of them would take the dispatcher's whole minute; 100 fan-outs take well under a second, and the
    /// workers of every process share the rest. Each digest records the job that owns it for now, so the sweep can
    /// tell a lost one either way.
    /// </summary>
    private async Task<int> EnqueueAsync(IReadOnlyList<StoredDigest> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0) return 0;
        var fanOut = options.Value.FanOutSize;
        if (fanOut == 0 || digests.Count <= fanOut)
            return await EnqueueDigestJobsAsync(digests.Select(d => d.Id).ToArray(), cancellationToken);

        var chunks = digests.Select(d => d.Id).Chunk(fanOut).ToArray();
        var assigned = new ConcurrentBag<(Guid Id, string JobId)>();
        await ForEachEnqueueAsync(chunks, chunk =>
        {
            var jobId = jobs.Enqueue<DigestDispatcher>(d => d.FanOutAsync(chunk, CancellationToken.None));
            foreach (var id in chunk) assigned.Add((id, jobId));
        }, chunk => chunk[0], cancellationToken);
        await RecordJobIdsAsync(assigned.ToArray(), cancellationToken);
        return assigned.Count;
    }

    /// <summary>
    /// A fan-out job: enqueues one <see cref="DigestJob"/> per digest of its chunk that is still waiting. Run twice
    /// (a retry), it may enqueue a digest twice; <see cref="DigestJob"/> is reentrant and the unique draft per request
    /// keeps the outcome single.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task FanOutAsync(Guid[] digestIds, CancellationToken cancellationToken)
    {
        var waiting = await db.Digests.AsNoTracking()
            .Where(d => digestIds.Contains(d.Id) && d.Status == DigestStatus.Queued && d.RequestId == null)
            .Select(d => d.Id)
            .ToArrayAsync(cancellationToken);
        await EnqueueDigestJobsAsync(waiting, cancellationToken);
    }

    /// <summary>One job per digest, several enqueues in flight, ids recorded in one statement. A failed enqueue leaves the digest to the sweep.</summary>
    private async Task<int> EnqueueDigestJobsAsync(IReadOnlyList<Guid> digestIds, CancellationToken cancellationToken)
    {
        var assigned = new ConcurrentBag<(Guid Id, string JobId)>();
        await ForEachEnqueueAsync(digestIds, id => assigned.Add((id, jobs.Enqueue<DigestJob>(job => job.RunAsync(id, CancellationToken.None)))), id => id, cancellationToken);
        await RecordJobIdsAsync(assigned.ToArray(), cancellationToken);
        return assigned.Count;
    }

    private Task ForEachEnqueueAsync<T>(IEnumerable<T> items, Action<T> enqueue, Func<T, Guid> idOf, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Value.EnqueueParallelism, CancellationToken = cancellationToken },
            (item, _) =>
            {
                try
                {
                    enqueue(item);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogEnqueueFailed(ex, idOf(item));
                }
                return ValueTask.CompletedTask;
            });

    /// <summary>
    /// Records which job owns each digest. Only JobId changes (no indexed column), so PostgreSQL can update the rows
    /// in place (HOT) instead of touching every index of the table again.
    /// </summary>
    private async Task RecordJobIdsAsync(IReadOnlyList<(Guid Id, string JobId)> assigned, CancellationToken cancellationToken)
    {
        if (assigned.Count == 0) return;
        if (db.Database.IsNpgsql())
        {
            var ids = assigned.Select(a => a.Id).ToArray();
            var jobIds = assigned.Select(a => a.JobId).ToArray();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE digests AS d SET "JobId" = v.job_id
                FROM unnest({ids}, {jobIds}) AS v(id, job_id)
                WHERE d."Id" = v.id
                """, cancellationToken);
            return;
        }
        foreach (var (id, jobId) in assigned)
            await db.Digests.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.JobId, jobId), cancellationToken);
    }

    /// <summary>The sweeper pattern of hatch requests: Queued digests whose job is gone are enqueued again.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow().ToUniversalTime() - options.Value.OrphanAfter;
        var candidates = await db.Digests.AsNoTracking()
            .Where(d => (d.Status == DigestStatus.Queued || d.Status == DigestStatus.Running) && d.UpdatedAt < cutoff)
            .OrderBy(d => d.UpdatedAt)
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0) return 0;

        var orphans = new List<StoredDigest>();
        using (var connection = storage.GetConnection())
        {
            foreach (var digest in candidates)
            {
                if (digest.JobId is { } jobId && IsLive(connection, jobId))
                    continue;
                LogOrphan(digest.Id, digest.JobId);
                orphans.Add(digest);
            }
        }
        if (orphans.Count == 0) return 0;
        var ids = orphans.Select(d => d.Id).ToArray();
        var now = time.GetUtcNow().ToUniversalTime();
        // Touched, so the next sweep looks at them again only after another OrphanAfter.
        await db.Digests.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.UpdatedAt, now), cancellationToken);
        return await EnqueueDigestJobsAsync(ids, cancellationToken);
    }

    /// <summary>A job id the storage cannot read (another storage's id after a switch) counts as gone.</summary>
    private static bool IsLive(IStorageConnection connection, string jobId)
    {
        try
        {
            return connection.GetJobData(jobId) is { State: { } state } && LiveStates.Contains(state);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Digest dispatch: {Due} reader(s) due, {Planned} digest(s) planned in {PlanningMs:F0} ms, {Enqueued} enqueued in {EnqueueingMs:F0} ms")]
    private partial void LogPass(int due, int planned, int enqueued, double planningMs, double enqueueingMs);

    [LoggerMessage(LogLevel.Information, "A batch of {Count} due reader(s) met an existing digest; planning them one by one")]
    private partial void LogBatchConflict(Exception ex, int count);

    [LoggerMessage(LogLevel.Information, "The digest {PeriodKey} of user {UserId} was planned by another dispatcher; skipped")]
    private partial void LogDuplicate(string userId, string periodKey);

    [LoggerMessage(LogLevel.Error, "The digest settings of user {UserId} cannot be scheduled; digests paused until they are saved again")]
    private partial void LogUnschedulable(Exception ex, string userId);

    [LoggerMessage(LogLevel.Error, "Digest {DigestId} is stored but could not be enqueued; the sweep will enqueue it")]
    private partial void LogEnqueueFailed(Exception ex, Guid digestId);

    [LoggerMessage(LogLevel.Error, "The sweep for lost digest jobs failed; the next pass will try again")]
    private partial void LogSweepFailed(Exception ex);

    [LoggerMessage(LogLevel.Warning, "Digest {DigestId} is waiting but its job {JobId} is gone; enqueued again")]
    private partial void LogOrphan(Guid digestId, string? jobId);
}
