using System.Data.Common;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Domain.Requests;
using Hatch.Features.Library;
using Hatch.Features.Requests;
using Hatch.Writing.Hatching;
using Hatch.Writing.Rendering;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Hatching;

/// <summary>
/// Runs one hatch request: loads it by id, runs the pipeline with stage updates, and stores the draft and the
/// request's success in one transaction. Reentrant: Hangfire may run it twice (a crash, a sweep, a retry), and
/// a second run finds the draft and only marks the request Succeeded; the unique index on drafts.RequestId
/// settles two runs that race.
/// </summary>
/// <remarks>
/// Retries: a permanent error (nothing to write from, an article that fails validation, a bad request) fails the
/// request at once with its reason and the job ends normally, so Hangfire does not retry it. A transient error
/// (database or network hiccup, timeout) puts the request back to Queued with the error shown and rethrows, so
/// Hangfire retries with its back-off; on the <see cref="MaxAttempts"/>th attempt the request fails with the reason
/// instead. Hangfire's own retry count is set to the same number so that the request's state, not Hangfire's, decides.
/// </remarks>
public sealed partial class HatchJob(
    HatchDbContext db, ArticlePipeline pipeline, EmbeddingStore embeddings, IServiceScopeFactory scopes, TimeProvider time,
    IOptions<JobOptions> options, ILogger<HatchJob> logger)
{
    public const int MaxAttempts = 3;

    [AutomaticRetry(Attempts = MaxAttempts, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid requestId, CancellationToken cancellationToken)
    {
        // Everything logged while this request runs (selection, the model calls, EF, the stage reporter) carries
        // its id, so one request's story can be pulled out of many workers' logs.
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["HatchRequestId"] = requestId });
        // One round trip for the request, any draft an earlier run already stored, and the byline's name.
        var found = await db.HatchRequests
            .Where(r => r.Id == requestId)
            .Select(r => new
            {
                Request = r,
                DraftId = db.Drafts.Where(d => d.RequestId == r.Id).Select(d => (Guid?)d.Id).FirstOrDefault(),
                Author = db.Users.Where(u => u.Id == r.UserId).Select(u => u.DisplayName).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            LogMissing(requestId);
            return;
        }
        var request = found.Request;
        if (request.IsFinished) return;

        if (found.DraftId is { } existing)
        {
            request.Succeed(existing, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        if (request.Status == RequestStatus.Running && request.Attempts >= MaxAttempts)
        {
            // Still Running means every earlier run stopped without recording an outcome (the process died mid-run:
            // out of memory, killed, a crash in the writer). Running it yet again would only repeat that forever.
            var reason = $"Gave up after {request.Attempts} attempts: the worker stopped each time before the article was finished.";
            LogFailed(null, requestId, reason);
            request.Fail(reason, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // Written at once, not deferred like later stages: Running is what stops a second worker's sweep from
        // calling the request lost, and Attempts must be counted before the work that might kill the process.
        request.Start(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        var stages = new StageReporter(scopes, requestId, HatchStage.Selecting, options.Value.StageReportDelay, time, logger);
        try
        {
            var stored = await SelectAsync(request, cancellationToken);
            if (stored.Count == 0)
                throw new NothingToHatchException($"There are no {request.Selection.Describe()} to hatch from any more.");
            var vectors = await VectorsAsync(request.UserId, stored, cancellationToken);
            var document = await pipeline.HatchAsync(
                stored.Select(h => h.ToHighlight()),
                Options(request, found.Author) with { VectorsByContentHash = vectors },
                // Validation is part of writing as far as the person watching is concerned.
                (stage, _) => stages.ReportAsync(stage == HatchStage.Selecting ? HatchStage.Selecting : HatchStage.Writing),
                cancellationToken);
            await stages.ReportAsync(HatchStage.Saving);

            var idsByHash = stored.GroupBy(h => h.ContentHash).ToDictionary(g => g.Key, g => g.First().Id);
            var draft = Draft.Create(request, document, DraftRenderer.Markdown(document), idsByHash, time.GetUtcNow());
            // A digest whose reader chose "straight to review" enters the review queue as it is created, submitted by
            // its author through the same workflow (and audit trail) as a press of Submit.
            if (request.Settings.SubmitForReview) draft.Submit(new DraftActor(request.UserId), time.GetUtcNow());
            db.Drafts.Add(draft);
            request.Succeed(draft.Id, time.GetUtcNow());
            // One transaction and one batch: the draft, its highlight links and Succeeded.
            await db.SaveChangesAsync(cancellationToken);
            await stages.StopAsync();
            LogSucceeded(requestId, draft.Id, request.Attempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stages.StopAsync();
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
                LogRequeueFailed(ex, requestId); // the request stays Running; the next run picks it up all the same
            }
            throw;
        }
        catch (Exception ex)
        {
            await stages.StopAsync();
            if (ex is DbUpdateException && await DraftIdForAsync(requestId, CancellationToken.None) is { } winner)
            {
                // Another run of this request stored its draft first; the unique index turned ours away.
                await SaveStateAsync(requestId, r => r.Succeed(winner, time.GetUtcNow()));
                return;
            }
            if (IsTransient(ex) && request.Attempts < MaxAttempts)
            {
                LogTransient(ex, requestId, request.Attempts);
                await SaveStateAsync(requestId, r => r.Requeue(time.GetUtcNow(),
                    $"Attempt {r.Attempts} of {MaxAttempts} failed ({Describe(ex)}); trying again shortly."));
                throw;
            }
            var reason = ex switch
            {
                ArticleWriterException writer => writer.Reason,
                NoHighlightsException or NothingToHatchException or ArticleValidationException or RequestStateException => ex.Message,
                _ when IsTransient(ex) => $"Gave up after {MaxAttempts} attempts: {Describe(ex)}",
                _ => $"Something went wrong while writing the article: {Describe(ex)}",
            };
            LogFailed(ex, requestId, reason);
            await SaveStateAsync(requestId, r => r.Fail(reason, time.GetUtcNow()));
        }
    }

    private async Task<List<StoredHighlight>> SelectAsync(HatchRequest request, CancellationToken cancellationToken)
    {
        var query = db.HighlightsOf(request.UserId).AsNoTracking();
        var selection = request.Selection;
        if (selection.HighlightIds is { Count: > 0 } ids)
            query = query.Where(h => ids.Contains(h.Id));
        else if (selection.Source is { } source)
            query = query.Where(h => h.SourceTitle == source);
        else if (selection.Tag is { } tag)
        {
            var key = StoredHighlight.TagKey(tag);
            query = query.Where(h => h.Tags.Contains(key));
        }
        return await query.OrderBy(h => h.SourceTitle).ThenBy(h => h.Offset).ThenBy(h => h.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Stored vectors of the hatch's highlights by content hash, computing first the ones the background job has not
    /// reached yet, so selection ranks by meaning and the writer groups without embedding again. Null when the
    /// provider knows only words; empty when it fails (selection then ranks by words, the prompt has no themes, and
    /// the model writer does not try the failing provider a second time): a draft grouped by words beats no draft.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, float[]>?> VectorsAsync(string userId, List<StoredHighlight> stored, CancellationToken cancellationToken)
    {
        if (embeddings.IsLexical) return null;
        try
        {
            var ids = stored.Select(h => h.Id).ToArray();
            await embeddings.EnsureAsync(userId, ids, cancellationToken);
            var byId = await embeddings.VectorsAsync(userId, ids, cancellationToken);
            var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var h in stored)
                if (byId.TryGetValue(h.Id, out var vector)) result.TryAdd(h.ContentHash, vector);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogEmbeddingsFailed(ex, userId);
            return new Dictionary<string, float[]>();
        }
    }

    private static HatchOptions Options(HatchRequest request, string? displayName) => new()
    {
        Article = new ArticleOptions
        {
            // "Hatched by NAME": the name the reader chose to show; never their sign-in address, which is private.
            AuthorName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            Style = request.Settings.Style,
            Language = request.Settings.Language,
            Length = request.Settings.Length,
            Prompt = request.Settings.Prompt,
            Period = request.Settings.Period,
        },
        Selection = new SelectionOptions { MaxHighlights = request.Settings.MaxHighlights ?? SelectionOptions.DefaultMaxHighlights },
    };

    private Task<Guid?> DraftIdForAsync(Guid requestId, CancellationToken cancellationToken) =>
        db.Drafts.Where(d => d.RequestId == requestId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Records an outcome on a clean slate, whatever state the failed unit of work left the context in.</summary>
    private async Task SaveStateAsync(Guid requestId, Action<HatchRequest> change)
    {
        db.ChangeTracker.Clear();
        var request = await db.HatchRequests.FirstAsync(r => r.Id == requestId, CancellationToken.None);
        if (request.IsFinished) return;
        change(request);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    internal static bool IsTransient(Exception ex) => ex switch
    {
        // The model writer has already retried transient provider errors in its HTTP pipeline (with back-off and
        // Retry-After); retrying the job too would multiply model calls. Its failure is final; the person can Retry.
        ArticleWriterException => false,
        DbException { IsTransient: true } or TimeoutException or HttpRequestException or IOException => true,
        DbUpdateConcurrencyException => true,
        TaskCanceledException => true, // an HTTP timeout; our own cancellation is handled before this
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    private static string Describe(Exception ex) => ex.InnerException is { } inner && ex is DbUpdateException ? inner.Message : ex.Message;

    [LoggerMessage(LogLevel.Warning, "Embedding the highlights of a hatch for user {UserId} failed; the writer groups them by shared words")]
    private partial void LogEmbeddingsFailed(Exception ex, string userId);

    [LoggerMessage(LogLevel.Warning, "Hatch request {RequestId} no longer exists; job ignored")]
    private partial void LogMissing(Guid requestId);

    [LoggerMessage(LogLevel.Information, "Hatch request {RequestId} succeeded with draft {DraftId} after {Attempts} attempt(s)")]
    private partial void LogSucceeded(Guid requestId, Guid draftId, int attempts);

    [LoggerMessage(LogLevel.Warning, "Hatch request {RequestId} hit a transient error on attempt {Attempt}; Hangfire will retry")]
    private partial void LogTransient(Exception ex, Guid requestId, int attempt);

    [LoggerMessage(LogLevel.Warning, "Hatch request {RequestId} was interrupted by shutdown and could not be marked Queued")]
    private partial void LogRequeueFailed(Exception ex, Guid requestId);

    [LoggerMessage(LogLevel.Warning, "Hatch request {RequestId} failed: {Reason}")]
    private partial void LogFailed(Exception? ex, Guid requestId, string reason);
}

/// <summary>The request's selection matches none of the user's highlights (they were deleted, or a tag was removed).</summary>
public sealed class NothingToHatchException(string message) : Exception(message);
