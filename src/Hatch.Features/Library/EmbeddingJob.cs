using Hangfire;
using Hatch.Data;
using Hatch.Embeddings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Library;

/// <summary>
/// Embeds a user's highlights that lack a vector from the configured model, then checks the ones not yet checked for
/// near-duplicates. Thin and reentrant: it takes the user id, asks the store what is missing, and stores batch by
/// batch, so a second run (a retry, two imports in a row, the refresh sweep) finds less or nothing to do.
/// </summary>
/// <remarks>
/// One run per user at a time, across processes (a lock in Hangfire's storage): a second run waits for the first
/// and then finds its work done, instead of embedding the same batches twice. When the provider fails, the
/// highlights stay without vectors, the reason is logged and shown on the failed job, and Hangfire retries; the
/// refresh sweep (<see cref="EmbeddingRefreshJob"/>) tries again later whatever happens to this job.
/// </remarks>
public sealed partial class EmbeddingJob(EmbeddingStore store, NearDuplicateChecker duplicates, JobStorage storage, ILogger<EmbeddingJob> logger)
{
    /// <summary>How long a run waits for another run for the same user; long enough for a large import's batches.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromMinutes(5);

    public static string LockName(string userId) => $"hatch:embeddings:{userId}";

    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(string userId, CancellationToken cancellationToken)
    {
        using var connection = storage.GetConnection();
        using var held = connection.AcquireDistributedLock(LockName(userId), LockWait);

        int stored;
        try
        {
            stored = await store.EnsureAsync(userId, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var missing = await store.CountMissingAsync(userId, CancellationToken.None);
            var reason = EmbeddingFailure.Describe(ex);
            LogFailed(ex, missing, userId, store.ModelId, reason);
            throw new EmbeddingFailedException(
                $"Embedding failed with model '{store.ModelId}': {reason}. {missing} highlight(s) of user {userId} stay without vectors " +
                "(search, themes and related highlights leave them out) until a retry or the next refresh succeeds.", ex);
        }
        if (stored > 0) LogStored(stored, userId, store.ModelId);

        // After the vectors, whatever the size of the import: the import itself checks only small ones.
        var checkedNow = await duplicates.CheckAsync(userId, cancellationToken: cancellationToken);
        if (checkedNow.Found.Count > 0) LogDuplicates(checkedNow.Found.Count, checkedNow.Checked, userId);
    }

    [LoggerMessage(LogLevel.Information, "Stored {Count} embeddings for user {UserId} with model {ModelId}")]
    private partial void LogStored(int count, string userId, string modelId);

    [LoggerMessage(LogLevel.Information, "{Found} of {Checked} newly embedded highlights of user {UserId} are probable duplicates (reported on the highlights page)")]
    private partial void LogDuplicates(int found, int @checked, string userId);

    [LoggerMessage(LogLevel.Error, "Embedding failed: {Missing} highlight(s) of user {UserId} stay without vectors from model {ModelId}: {Reason}")]
    private partial void LogFailed(Exception ex, int missing, string userId, string modelId, string reason);
}

/// <summary>The embedding provider failed; the message says which model, why, and what is left without vectors.</summary>
public sealed class EmbeddingFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>Enqueues embedding work after an import; never waits for it.</summary>
public sealed partial class EmbeddingScheduler(IBackgroundJobClient jobs, ILogger<EmbeddingScheduler> logger)
{
    /// <returns>The job id, or null when the queue could not take it (the refresh sweep, the next import or hatch computes what is missing).</returns>
    public string? Enqueue(string userId)
    {
        try
        {
            return jobs.Enqueue<EmbeddingJob>(job => job.RunAsync(userId, CancellationToken.None));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogEnqueueFailed(ex, userId);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Error, "Embedding work for user {UserId} could not be enqueued; it will be computed when next needed")]
    private partial void LogEnqueueFailed(Exception ex, string userId);
}

/// <summary>
/// The recurring sweep (and the start-up run) that keeps every library embedded under the configured model: it finds
/// users with highlights that have no vector from the current model (never embedded, a failed job, or a change of
/// <c>Hatch:Embeddings</c> model) or that were never checked for near-duplicates, and enqueues one
/// <see cref="EmbeddingJob"/> per user. Safe with many processes: runs of the sweep do not overlap, and a second job
/// for the same user waits for the first (its lock) and then finds nothing left to do.
/// </summary>
public sealed partial class EmbeddingRefreshJob(HatchDbContext db, EmbeddingStore store, EmbeddingScheduler scheduler, ILogger<EmbeddingRefreshJob> logger)
{
    public const string RecurringJobId = "hatch-embedding-refresh";

    /// <summary>Every 15 minutes: a change of model is caught at start (the start-up run), this only mops up failures.</summary>
    public const string Cron = "*/15 * * * *";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var modelId = store.ModelId;
        var users = await db.Highlights
            .Where(h => h.DuplicateCheckedAt == null || !db.HighlightEmbeddings.Any(e => e.HighlightId == h.Id && e.ModelId == modelId))
            .Select(h => h.UserId)
            .Distinct()
            .OrderBy(u => u)
            .ToListAsync(cancellationToken);
        foreach (var userId in users) scheduler.Enqueue(userId);
        if (users.Count > 0) LogEnqueued(users.Count, modelId);
        return users.Count;
    }

    [LoggerMessage(LogLevel.Information, "Enqueued embedding work for {Count} user(s) whose highlights lack vectors from {ModelId} or a near-duplicate check")]
    private partial void LogEnqueued(int count, string modelId);
}
