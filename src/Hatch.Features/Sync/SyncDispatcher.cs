using Hangfire;
using Hatch.Data;
using Hatch.Domain.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Sync;

/// <summary>
/// The one recurring sync job, like the digest dispatcher: each pass finds connections whose next sync is due, moves
/// each one's due time on by <see cref="SyncOptions.Interval"/> with a conditional update (so of two dispatchers only
/// one wins a connection), and enqueues one <see cref="SyncJob"/> per connection it won. A connection waiting for a
/// new token is never due; one still syncing is skipped by the job's lease.
/// </summary>
public sealed partial class SyncDispatcher(
    HatchDbContext db, IBackgroundJobClient jobs, TimeProvider time, IOptions<SyncOptions> options, ILogger<SyncDispatcher> logger)
{
    public const string RecurringJobId = "sync-dispatcher";
    private const int BatchSize = 500;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task DispatchJobAsync(CancellationToken cancellationToken) => DispatchAsync(cancellationToken);

    /// <returns>How many syncs were enqueued.</returns>
    public async Task<int> DispatchAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUniversalTime();
        var needsToken = ConnectionStatus.NeedsToken;
        var due = await db.Connections.AsNoTracking()
            .Where(c => c.NextSyncAt != null && c.NextSyncAt <= now && c.Status != needsToken)
            .OrderBy(c => c.NextSyncAt)
            .Select(c => new { c.Id, c.NextSyncAt })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var next = now + options.Value.Interval;
        var enqueued = 0;
        foreach (var connection in due)
        {
            var seen = connection.NextSyncAt;
            var won = await db.Connections.Where(c => c.Id == connection.Id && c.NextSyncAt == seen)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextSyncAt, next), cancellationToken);
            if (won == 0) continue;
            try
            {
                jobs.Enqueue<SyncJob>(job => job.RunAsync(connection.Id, CancellationToken.None));
                enqueued++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Put it back so the next pass tries again rather than waiting a whole interval.
                await db.Connections.Where(c => c.Id == connection.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.NextSyncAt, seen), CancellationToken.None);
                LogEnqueueFailed(ex, connection.Id);
            }
        }
        if (enqueued > 0) LogPass(enqueued);
        return enqueued;
    }

    [LoggerMessage(LogLevel.Information, "Sync dispatch: {Count} connection(s) enqueued")]
    private partial void LogPass(int count);

    [LoggerMessage(LogLevel.Error, "The sync of connection {ConnectionId} could not be enqueued; the next pass tries again")]
    private partial void LogEnqueueFailed(Exception ex, Guid connectionId);
}
