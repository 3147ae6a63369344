using System.Linq.Expressions;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Requests;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Requests;

/// <summary>
/// Enqueues the job of a tracked request that is already stored and records the job's id on it. The request row is
/// saved first, so an enqueue that fails (job storage down) loses nothing: the sweeper finds the request without a
/// live job and enqueues it again.
/// </summary>
public sealed partial class RequestQueue(HatchDbContext db, IBackgroundJobClient jobs, TimeProvider time, ILogger<RequestQueue> logger)
{
    /// <summary>Never throws for a storage outage: the failure is logged and left to the sweeper.</summary>
    public async Task EnqueueAsync<TJob>(TrackedRequest request, Expression<Func<TJob, Task>> run, CancellationToken cancellationToken = default)
    {
        string jobId;
        try
        {
            jobId = jobs.Enqueue(run);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogEnqueueFailed(ex, request.Kind, request.Id);
            return;
        }
        request.AssignJob(jobId, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Error, "The {Kind} {RequestId} is stored but could not be enqueued; the sweeper will enqueue it")]
    private partial void LogEnqueueFailed(Exception ex, string kind, Guid requestId);
}
