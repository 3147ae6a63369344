using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Hatch.Data;
using Hatch.Domain.Email;
using Hatch.Domain.Requests;
using Hatch.Features.Requests;
using Hatch.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Hatching;

/// <summary>
/// Finds accepted requests whose job is gone (a crash between storing and enqueueing, a restart that emptied the
/// in-memory queue, a deleted job) and enqueues them again. Runs once when a process starts and every minute as a
/// Hangfire recurring job. A request is only considered once it has been untouched for <see cref="JobOptions.OrphanAfter"/>,
/// so one that is being enqueued right now is left alone; a live job (enqueued, scheduled for retry, processing) is never doubled.
/// </summary>
public sealed partial class HatchRequestSweeper(
    HatchDbContext db, HatchScheduler scheduler, ReviewService review, ReviewEmailJob reviewEmails, JobStorage storage, TimeProvider time, IOptions<JobOptions> options, ILogger<HatchRequestSweeper> logger)
{
    public const string RecurringJobId = "hatch-request-sweeper";

    private static readonly HashSet<string> LiveStates = new(StringComparer.OrdinalIgnoreCase)
    {
        EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName,
    };

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OrphanAfter;
        var candidates = await db.HatchRequests
            .Where(r => (r.Status == RequestStatus.Queued || r.Status == RequestStatus.Running) && r.UpdatedAt < cutoff)
            .OrderBy(r => r.UpdatedAt)
            .Take(options.Value.SweepBatch)
            .ToListAsync(cancellationToken);
        // Section revision requests are stored before their job is enqueued too, and are swept the same way.
        var revisions = await db.SectionRevisions
            .Where(r => (r.Status == RequestStatus.Queued || r.Status == RequestStatus.Running) && r.UpdatedAt < cutoff)
            .OrderBy(r => r.UpdatedAt)
            .Take(options.Value.SweepBatch)
            .ToListAsync(cancellationToken);
        // So are editors' review notices (written with the submission, enqueued after its commit).
        var notices = await db.ReviewEmails
            .Where(e => (e.Status == EmailStatus.Pending || e.Status == EmailStatus.Sending) && e.UpdatedAt < cutoff)
            .OrderBy(e => e.UpdatedAt)
            .Take(options.Value.SweepBatch)
            .Select(e => new { e.Id, e.JobId })
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0 && revisions.Count == 0 && notices.Count == 0) return 0;

        var requeued = 0;
        using var connection = storage.GetConnection();
        var orphanNotices = notices.Where(n => n.JobId is not { } jobId || !IsLive(connection, jobId)).Select(n => n.Id).ToList();
        if (orphanNotices.Count > 0)
        {
            LogOrphanNotices(orphanNotices.Count);
            await reviewEmails.EnqueueAsync(orphanNotices, cancellationToken);
            requeued += orphanNotices.Count;
        }
        foreach (var revision in revisions)
        {
            if (revision.JobId is { } jobId && connection.GetJobData(jobId) is { State: { } state } && LiveStates.Contains(state))
                continue;
            LogOrphanRevision(revision.Id, revision.JobId);
            await review.EnqueueReviseAsync(revision, cancellationToken);
            requeued++;
        }
        foreach (var request in candidates)
        {
            if (request.JobId is { } jobId && IsLive(connection, jobId))
                continue;
            // Claim the request before enqueueing: two sweeps at once (the start-up sweep of a web process and of a
            // worker, or a start-up sweep and the minutely one) would otherwise both enqueue it. The claim also
            // notices a request that a job finished or picked up since it was read above.
            var seen = request.UpdatedAt;
            var now = time.GetUtcNow();
            var claimed = await db.HatchRequests
                .Where(r => r.Id == request.Id && r.UpdatedAt == seen
                    && (r.Status == RequestStatus.Queued || r.Status == RequestStatus.Running))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.UpdatedAt, now), cancellationToken);
            if (claimed == 0) continue;
            LogOrphan(request.Id, request.Status, request.JobId);
            await scheduler.EnqueueAsync(request, cancellationToken);
            requeued++;
        }
        return requeued;
    }

    /// <summary>
    /// Whether the request's recorded job can still run it. An id the storage does not know or cannot read (expired, or
    /// written by another storage before a configuration change) counts as gone.
    /// </summary>
    private bool IsLive(IStorageConnection connection, string jobId)
    {
        try
        {
            return connection.GetJobData(jobId) is { State: { } state } && LiveStates.Contains(state);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            LogUnreadableJob(ex, jobId);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Job {JobId} could not be read from the job storage; its request counts as orphaned")]
    private partial void LogUnreadableJob(Exception ex, string jobId);

    [LoggerMessage(LogLevel.Warning, "Hatch request {RequestId} is {Status} but its job {JobId} is gone; enqueued again")]
    private partial void LogOrphan(Guid requestId, RequestStatus status, string? jobId);

    [LoggerMessage(LogLevel.Warning, "{Count} review notice(s) are unsent and their jobs are gone; enqueued again")]
    private partial void LogOrphanNotices(int count);

    [LoggerMessage(LogLevel.Warning, "Section revision {RequestId} is unfinished but its job {JobId} is gone; enqueued again")]
    private partial void LogOrphanRevision(Guid requestId, string? jobId);
}
