using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Digests;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.Features.Requests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Digests;

/// <summary>
/// Runs one planned digest. Too few new highlights: the digest is Skipped with the reason, and the reader's last
/// period end goes back so those highlights carry into the next digest. Otherwise the period's highlights become a
/// <see cref="HatchRequest"/> with the Digest prompt, run by <see cref="HatchJob"/> in this same job, so a digest
/// has a hatch's provenance, failure handling and draft. Reentrant: a second run finds the request and resumes it.
/// </summary>
public sealed partial class DigestJob(HatchDbContext db, HatchJob hatch, DigestEmailJob emails, TimeProvider time, ILogger<DigestJob> logger)
{
    [AutomaticRetry(Attempts = TrackedRequestJob<HatchRequest>.MaxAttempts, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid digestId, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["DigestId"] = digestId });
        var digest = await db.Digests.FirstOrDefaultAsync(d => d.Id == digestId, cancellationToken);
        if (digest is null)
        {
            LogMissing(digestId);
            return;
        }
        if (digest.Status is DigestStatus.Skipped or DigestStatus.Failed) return;
        if (digest.Status is DigestStatus.Succeeded)
        {
            // A rerun after a crash between storing the outcome and queueing the email: queue it now (at most once).
            await emails.QueueAsync(digestId, cancellationToken);
            return;
        }

        if (digest.RequestId is null && !await PrepareAsync(digest, cancellationToken))
            return;

        await hatch.RunAsync(digest.RequestId!.Value, cancellationToken);

        // HatchJob settles the request (or rethrows a transient error for Hangfire to retry this job).
        db.ChangeTracker.Clear();
        var request = await db.HatchRequests.AsNoTracking().FirstAsync(r => r.Id == digest.RequestId, CancellationToken.None);
        var status = request.Status switch
        {
            RequestStatus.Succeeded => DigestStatus.Succeeded,
            RequestStatus.Failed => DigestStatus.Failed,
            _ => DigestStatus.Running,
        };
        var now = time.GetUtcNow().ToUniversalTime();
        await db.Digests.Where(d => d.Id == digestId).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.Error, request.Error)
            .SetProperty(d => d.UpdatedAt, now), CancellationToken.None);

        // The draft is stored: the email (if the reader wants one) is its own job, so a mail server's trouble never
        // touches the digest's outcome.
        if (status == DigestStatus.Succeeded) await emails.QueueAsync(digestId, CancellationToken.None);
    }

    /// <summary>Decides run or skip; for a run, stores the hatch request and links it, in one transaction.</summary>
    private async Task<bool> PrepareAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settingsRow = await db.DigestSettings.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == digest.UserId, cancellationToken);
        var settings = settingsRow?.Settings ?? new DigestSettings();

        // "Added" is when Hatch stored the highlight: an import can date a highlight years back.
        var (start, end) = (digest.PeriodStart, digest.PeriodEnd);
        var inPeriod = db.HighlightsOf(digest.UserId).Where(h => h.ImportedAt > start && h.ImportedAt <= end);
        var count = await inPeriod.CountAsync(cancellationToken);
        digest.NewHighlights = count;
        digest.UpdatedAt = now;

        var decision = DigestDecision.For(settings, digest.Period, count);
        if (!decision.Runs)
        {
            digest.Status = DigestStatus.Skipped;
            digest.SkipReason = decision.SkipReason;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await GiveBackPeriodAsync(digest, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogSkipped(digest.Id, digest.UserId, decision.SkipReason!);
            return false;
        }

        var ids = await inPeriod.OrderBy(h => h.ImportedAt).ThenBy(h => h.Id).Select(h => h.Id).ToListAsync(cancellationToken);
        var request = HatchRequest.Create(digest.UserId, new HatchSelection(ids), new HatchSettings(
            Style: settings.Style,
            Language: settings.Language,
            Length: "medium",
            Prompt: ArticleOptions.Prompts.Digest,
            Period: PeriodWord(settings),
            MaxHighlights: settings.MaxHighlights,
            SubmitForReview: settings.SubmitForReview), now);
        // The request belongs to this digest's job: the hatch sweeper sees a live job and leaves it to us.
        if (digest.JobId is { } jobId) request.AssignJob(jobId, now);
        db.HatchRequests.Add(request);
        digest.RequestId = request.Id;
        digest.Status = DigestStatus.Running;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// A skipped digest was not written, so the reader's last period end returns to the latest digest that was:
    /// the highlights too few for this one count towards the next. Only if no later digest has moved it since.
    /// </summary>
    private async Task GiveBackPeriodAsync(StoredDigest skipped, CancellationToken cancellationToken)
    {
        var userId = skipped.UserId;
        var end = skipped.PeriodEnd;
        var written = await db.Digests
            .Where(d => d.UserId == userId && d.Status != DigestStatus.Skipped && d.PeriodEnd < end)
            .MaxAsync(d => (DateTimeOffset?)d.PeriodEnd, cancellationToken);
        await db.DigestSettings
            .Where(s => s.UserId == userId && s.LastPeriodEnd == end)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastPeriodEnd, written), cancellationToken);
    }

    private static string PeriodWord(DigestSettings settings) => settings.Cadence switch
    {
        DigestCadence.Daily => "daily",
        DigestCadence.Weekly => "weekly",
        _ => "periodic",
    };

    [LoggerMessage(LogLevel.Warning, "Digest {DigestId} no longer exists; job ignored")]
    private partial void LogMissing(Guid digestId);

    [LoggerMessage(LogLevel.Information, "Digest {DigestId} of user {UserId} skipped: {Reason}")]
    private partial void LogSkipped(Guid digestId, string userId, string reason);
}
