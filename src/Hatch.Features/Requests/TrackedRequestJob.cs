using System.Data.Common;
using Hatch.Data;
using Hatch.Domain.Requests;
using Hatch.Writing.Hatching;
using Hatch.Writing.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Requests;

/// <summary>
/// How every tracked request's job runs (a hatch, a section revision): Hangfire may run it twice, so it is reentrant,
/// and its outcome is recorded on the request, never only in Hangfire.
/// </summary>
/// <remarks>
/// A run finds the result an earlier run stored and only marks the request Succeeded; otherwise it marks the request
/// Running (and counts the attempt) before doing any work, then does the work, which saves the result together with
/// Succeeded in one transaction. A permanent error (the job's <see cref="KnownFailure"/>, or the model's final
/// <see cref="ArticleWriterException"/>) fails the request at once with its reason and the job ends normally, so
/// Hangfire does not retry it. A transient error (database or network hiccup, timeout, concurrent edit) puts the
/// request back to Queued with the error shown and rethrows, so Hangfire retries with its back-off; on the
/// <see cref="MaxAttempts"/>th attempt the request fails instead. A request still Running after that many attempts was
/// abandoned by dead workers each time, and fails rather than kill one more.
/// </remarks>
public abstract partial class TrackedRequestJob<TRequest>(HatchDbContext db, TimeProvider time, ILogger logger)
    where TRequest : TrackedRequest
{
    /// <summary>Attempts per request; Hangfire's own retry count is set to the same, so the request's state decides.</summary>
    public const int MaxAttempts = 3;

    protected HatchDbContext Db => db;

    protected TimeProvider Time => time;

    /// <summary>The tracked requests of this kind, for reloading one on a clean slate.</summary>
    protected abstract IQueryable<TRequest> Requests { get; }

    /// <summary>The success to record when an earlier run of this request already stored its result; null when none did.</summary>
    protected abstract Task<Action<TRequest>?> StoredResultAsync(Guid requestId, CancellationToken cancellationToken);

    /// <summary>A person's reason for a failure this job knows to be final (bad input, a state that no longer allows it); null otherwise.</summary>
    protected abstract string? KnownFailure(Exception ex);

    /// <summary>How the job says what it was doing when something unexpected broke: "writing the article".</summary>
    protected abstract string Activity { get; }

    /// <summary>What the job makes, for a request abandoned by dead workers: "the article".</summary>
    protected abstract string Product { get; }

    /// <summary>
    /// Runs <paramref name="work"/> for <paramref name="request"/> (loaded by the job, null when it no longer exists).
    /// <paramref name="storedResult"/> is the earlier run's result when the job loaded it with the request; otherwise
    /// it is looked up. <paramref name="stop"/> ends what the work left running (a stage reporter) before any outcome is saved.
    /// </summary>
    protected async Task RunTrackedAsync(
        Guid requestId, TRequest? request, Func<TRequest, CancellationToken, Task> work, CancellationToken cancellationToken,
        Action<TRequest>? storedResult = null, Func<Task>? stop = null)
    {
        stop ??= static () => Task.CompletedTask;
        if (request is null)
        {
            LogMissing(typeof(TRequest).Name, requestId);
            return;
        }
        if (request.IsFinished) return;

        if ((storedResult ?? await StoredResultAsync(requestId, cancellationToken)) is { } succeed)
        {
            succeed(request);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        if (request.Status == RequestStatus.Running && request.Attempts >= MaxAttempts)
        {
            // Still Running means every earlier run stopped without recording an outcome (the process died mid-run:
            // out of memory, killed, a crash in the writer). Running it yet again would only repeat that forever.
            var reason = $"Gave up after {request.Attempts} attempts: the worker stopped each time before {Product} was finished.";
            LogFailed(null, request.Kind, requestId, reason, null);
            request.Fail(reason, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // Written at once: Running is what stops a second worker's sweep from calling the request lost, and Attempts
        // must be counted before the work that might kill the process.
        request.Start(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            await work(request, cancellationToken);
            await stop();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stop();
            // Shutting down: Hangfire hands the job to the next worker. Queued again (not left Running) so the person sees
            // it waiting and the next run is not mistaken for the aftermath of a crash.
            try
            {
                await SaveStateAsync(requestId, r =>
                {
                    if (r.Status == RequestStatus.Running) r.Requeue(time.GetUtcNow(), "Interrupted by a restart; it will run again shortly.");
                });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRequeueFailed(ex, request.Kind, requestId); // the request stays Running; the next run picks it up all the same
            }
            throw;
        }
        catch (Exception ex)
        {
            await stop();
            if (ex is DbUpdateException && await StoredResultAsync(requestId, CancellationToken.None) is { } winner)
            {
                // Another run of this request stored its result first; a unique index turned ours away.
                await SaveStateAsync(requestId, winner);
                return;
            }
            // A person sees a plain reason and an error id; the log keeps the details (a provider's reply, its address,
            // a database message) under the same id, so the operator can find them and nobody else reads them.
            var errorId = ErrorIds.Next();
            if (IsTransient(ex) && request.Attempts < MaxAttempts)
            {
                LogTransient(ex, request.Kind, requestId, request.Attempts, errorId, Describe(ex));
                await SaveStateAsync(requestId, r => r.Requeue(time.GetUtcNow(),
                    $"Attempt {r.Attempts} of {MaxAttempts} failed; trying again shortly (error id {errorId})."));
                throw;
            }
            var (reason, shown) = ex switch
            {
                ArticleWriterException writer => (writer.Reason, $"{writer.PlainReason} (error id {errorId})"),
                RequestStateException => (ex.Message, ex.Message),
                _ when KnownFailure(ex) is { } known => (known, known),
                _ when IsTransient(ex) => ($"Gave up after {MaxAttempts} attempts: {Describe(ex)}", $"Gave up after {MaxAttempts} attempts (error id {errorId})."),
                _ => ($"Something went wrong while {Activity}: {Describe(ex)}", $"Something went wrong while {Activity} (error id {errorId})."),
            };
            LogFailed(ex, request.Kind, requestId, reason, errorId);
            await SaveStateAsync(requestId, r => r.Fail(shown, time.GetUtcNow()));
        }
    }

    /// <summary>Records an outcome on a clean slate, whatever state the failed unit of work left the context in.</summary>
    private async Task SaveStateAsync(Guid requestId, Action<TRequest> change)
    {
        db.ChangeTracker.Clear();
        var request = await Requests.FirstAsync(r => r.Id == requestId, CancellationToken.None);
        if (request.IsFinished) return;
        change(request);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        // The model's own failures are final: its HTTP pipeline already retried transient provider errors (with
        // back-off and Retry-After), and retrying the job too would multiply model calls. The person can Retry.
        ArticleWriterException => false,
        DbException { IsTransient: true } or TimeoutException or HttpRequestException or IOException => true,
        DbUpdateConcurrencyException => true, // a concurrent edit: worth another go
        TaskCanceledException => true, // an HTTP timeout; our own cancellation is handled before this
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    private static string Describe(Exception ex) => ex.InnerException is { } inner && ex is DbUpdateException ? inner.Message : ex.Message;

    [LoggerMessage(LogLevel.Warning, "The {Kind} {RequestId} no longer exists; job ignored")]
    private partial void LogMissing(string kind, Guid requestId);

    [LoggerMessage(LogLevel.Warning, "The {Kind} {RequestId} hit a transient error on attempt {Attempt} (error id {ErrorId}): {Detail}; Hangfire will retry")]
    private partial void LogTransient(Exception ex, string kind, Guid requestId, int attempt, string errorId, string detail);

    [LoggerMessage(LogLevel.Warning, "The {Kind} {RequestId} was interrupted by shutdown and could not be marked Queued")]
    private partial void LogRequeueFailed(Exception ex, string kind, Guid requestId);

    [LoggerMessage(LogLevel.Warning, "The {Kind} {RequestId} failed (error id {ErrorId}): {Reason}")]
    private partial void LogFailed(Exception? ex, string kind, Guid requestId, string reason, string? errorId);
}
