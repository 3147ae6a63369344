using Hangfire;
using Hatch.Core.Data;
using Microsoft.Extensions.Logging;

namespace Hatch.Core.Jobs;

/// <summary>
/// Embeds a user's highlights that lack a vector from the configured model. Thin and reentrant: it takes the user
/// id, asks the store what is missing, and stores batch by batch, so a second run (a retry, two imports in a row)
/// finds less or nothing to do.
/// </summary>
public sealed partial class EmbeddingJob(EmbeddingStore store, ILogger<EmbeddingJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(string userId, CancellationToken cancellationToken)
    {
        var stored = await store.EnsureAsync(userId, cancellationToken: cancellationToken);
        if (stored > 0) LogStored(stored, userId, store.ModelId);
    }

    [LoggerMessage(LogLevel.Information, "Stored {Count} embeddings for user {UserId} with model {ModelId}")]
    private partial void LogStored(int count, string userId, string modelId);
}

/// <summary>Enqueues embedding work after an import; never waits for it.</summary>
public sealed partial class EmbeddingScheduler(IBackgroundJobClient jobs, ILogger<EmbeddingScheduler> logger)
{
    /// <returns>The job id, or null when the queue could not take it (the next import or hatch computes what is missing).</returns>
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
