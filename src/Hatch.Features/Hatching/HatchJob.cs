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
/// request's success in one transaction. Reentrant and retried as every tracked request is (<see cref="TrackedRequestJob{TRequest}"/>);
/// the unique index on drafts.RequestId settles two runs that race.
/// </summary>
public sealed partial class HatchJob(
    HatchDbContext db, ArticlePipeline pipeline, EmbeddingStore embeddings, HatchSource source, IServiceScopeFactory scopes, TimeProvider time,
    IOptions<JobOptions> options, ILogger<HatchJob> logger) : TrackedRequestJob<HatchRequest>(db, time, logger)
{
    protected override IQueryable<HatchRequest> Requests => Db.HatchRequests;

    protected override string Activity => "writing the article";

    protected override string Product => "the article";

    [AutomaticRetry(Attempts = MaxAttempts, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid requestId, CancellationToken cancellationToken)
    {
        // Everything logged while this request runs (selection, the model calls, EF, the stage reporter) carries
        // its id, so one request's story can be pulled out of many workers' logs.
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["HatchRequestId"] = requestId });
        // One round trip for the request, any draft an earlier run already stored, and the byline's name.
        var found = await Db.HatchRequests
            .Where(r => r.Id == requestId)
            .Select(r => new
            {
                Request = r,
                DraftId = Db.Drafts.Where(d => d.RequestId == r.Id).Select(d => (Guid?)d.Id).FirstOrDefault(),
                Author = Db.Users.Where(u => u.Id == r.UserId).Select(u => u.DisplayName).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        var stages = new StageReporter(scopes, requestId, HatchStage.Selecting, options.Value.StageReportDelay, Time, logger);
        await RunTrackedAsync(requestId, found?.Request, (request, ct) => WriteAsync(request, found!.Author, stages, ct), cancellationToken,
            storedResult: found?.DraftId is { } existing ? SucceededWith(existing) : null,
            stop: stages.StopAsync);
    }

    private async Task WriteAsync(HatchRequest request, string? author, StageReporter stages, CancellationToken cancellationToken)
    {
        var stored = await SelectAsync(request, cancellationToken);
        if (stored.Count == 0)
            throw new NothingToHatchException($"There are no {request.Selection.Describe()} to hatch from any more.");
        var vectors = await VectorsAsync(request.UserId, stored, cancellationToken);
        var document = await pipeline.HatchAsync(
            stored.Select(h => h.ToHighlight()),
            Options(request, author) with { VectorsByContentHash = vectors },
            // Validation is part of writing as far as the person watching is concerned.
            (stage, _) => stages.ReportAsync(stage == HatchStage.Selecting ? HatchStage.Selecting : HatchStage.Writing),
            cancellationToken);
        await stages.ReportAsync(HatchStage.Saving);

        var idsByHash = stored.GroupBy(h => h.ContentHash).ToDictionary(g => g.Key, g => g.First().Id);
        var draft = Draft.Create(request, document, DraftRenderer.Markdown(document), idsByHash, Time.GetUtcNow());
        // A digest whose reader chose "straight to review" enters the review queue as it is created, submitted by
        // its author through the same workflow (and audit trail) as a press of Submit.
        if (request.Settings.SubmitForReview) draft.Submit(new DraftActor(request.UserId), Time.GetUtcNow());
        Db.Drafts.Add(draft);
        request.Succeed(draft.Id, Time.GetUtcNow());
        // One transaction and one batch: the draft, its highlight links and Succeeded.
        await Db.SaveChangesAsync(cancellationToken);
        LogSucceeded(request.Id, draft.Id, request.Attempts);
    }

    protected override async Task<Action<HatchRequest>?> StoredResultAsync(Guid requestId, CancellationToken cancellationToken) =>
        await Db.Drafts.Where(d => d.RequestId == requestId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken) is { } draftId
            ? SucceededWith(draftId)
            : null;

    private Action<HatchRequest> SucceededWith(Guid draftId) => r => r.Succeed(draftId, Time.GetUtcNow());

    protected override string? KnownFailure(Exception ex) =>
        ex is NoHighlightsException or NothingToHatchException or ArticleValidationException ? ex.Message : null;

    private Task<List<StoredHighlight>> SelectAsync(HatchRequest request, CancellationToken cancellationToken) =>
        source.LoadAsync(request.UserId, request.Selection, cancellationToken);

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

    [LoggerMessage(LogLevel.Warning, "Embedding the highlights of a hatch for user {UserId} failed; the writer groups them by shared words")]
    private partial void LogEmbeddingsFailed(Exception ex, string userId);

    [LoggerMessage(LogLevel.Information, "Hatch request {RequestId} succeeded with draft {DraftId} after {Attempts} attempt(s)")]
    private partial void LogSucceeded(Guid requestId, Guid draftId, int attempts);
}

/// <summary>The request's selection matches none of the user's highlights (they were deleted, or a tag was removed).</summary>
public sealed class NothingToHatchException(string message) : Exception(message);
