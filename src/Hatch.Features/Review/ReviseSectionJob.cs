using System.Data.Common;
using System.Text.Json;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.Writing.Hatching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Review;

/// <summary>
/// Runs one section revision request: loads it by id, asks the model (<see cref="SectionReviser"/>) with the section,
/// the instruction and the highlights the section cites, validates the result against the draft's sources and stores
/// it as the draft's next revision (with the model's provenance) together with the request's success, in one
/// transaction. Reentrant like <see cref="HatchJob"/>: a second run finds the revision the first one stored (the
/// unique ReviseRequestId on revisions settles a race) and only marks the request Succeeded.
/// </summary>
/// <remarks>
/// Failure handling is hatching's: a permanent problem (no model, a reply that stays invalid, a draft that can no
/// longer be edited by the requester) fails the request with its reason; a transient one (database, a concurrent
/// edit, network) requeues it and rethrows for Hangfire's retry until <see cref="MaxAttempts"/>.
/// </remarks>
public sealed partial class ReviseSectionJob(HatchDbContext db, ISectionReviser reviser, TimeProvider time, ILogger<ReviseSectionJob> logger)
{
    public const int MaxAttempts = 3;

    [AutomaticRetry(Attempts = MaxAttempts, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid requestId, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["RevisionRequestId"] = requestId });
        var request = await db.SectionRevisions.FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
        {
            LogMissing(requestId);
            return;
        }
        if (request.IsFinished) return;
        if (await RevisionForAsync(requestId, cancellationToken) is { } stored)
        {
            request.Succeed(stored, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        request.Start(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            var draft = await db.LoadDraftAsync(request.DraftId, cancellationToken)
                ?? throw new SectionRevisionException("The draft no longer exists.");
            var actor = await ReviewService.ActorAsync(db, request.UserId, cancellationToken);
            if (!draft.Allows(DraftAction.Edit, actor))
                throw new SectionRevisionException($"The draft is {draft.Status} now and can no longer be revised by the person who asked.");
            var article = draft.Article;
            if (request.SectionIndex >= article.Sections.Count)
                throw new SectionRevisionException($"The draft no longer has section {request.SectionIndex}.");

            var section = article.Sections[request.SectionIndex];
            var sources = draft.SourceNumbers;
            var cited = section.Citations.Concat(Citations.Inline(section.Body)).Where(sources.Contains).ToHashSet();
            // The model sees the cited passages; a reader's private notes go along only when the author asked.
            var owner = draft.IsOwnedBy(actor);
            var highlights = draft.ToDocument().Highlights
                .Where(h => cited.Contains(h.Number))
                .Select(h => owner ? h : h with { Highlight = h.Highlight with { Note = null } })
                .ToArray();
            if (highlights.Length == 0)
                throw new SectionRevisionException("The section cites none of the draft's highlights, so there is nothing to ground a revision in.");

            var revised = await reviser.ReviseAsync(section, request.Instruction, draft.Language, highlights, cancellationToken);
            var updated = DraftEdits.ReplaceSectionBody(article, request.SectionIndex, revised.Body);
            var errors = DraftEdits.Validate(updated, sources);
            if (errors.Count > 0)
                throw new SectionRevisionException("The revised section is invalid: " + string.Join("; ", errors.SelectMany(e => e.Value)));

            draft.Edit(actor, updated, ReviewService.Render(draft, updated), draft.Revision, time.GetUtcNow(), RevisionKind.Revised,
                JsonSerializer.Serialize(revised.Provenance, HatchJson.Options), reviseRequestId: request.Id,
                note: $"section {request.SectionIndex + 1} \"{section.Heading}\": {request.Instruction}");
            request.Succeed(draft.Revision, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken); // one transaction: the revision, the draft, the audit line, Succeeded
            LogSucceeded(requestId, draft.Id, draft.Revision);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (ex is DbUpdateException && await RevisionForAsync(requestId, CancellationToken.None) is { } winner)
            {
                await SaveStateAsync(requestId, r => r.Succeed(winner, time.GetUtcNow()));
                return;
            }
            if (IsTransient(ex) && request.Attempts < MaxAttempts)
            {
                LogTransient(ex, requestId, request.Attempts);
                await SaveStateAsync(requestId, r => r.Requeue(time.GetUtcNow(), $"Attempt {r.Attempts} of {MaxAttempts} failed ({ex.Message}); trying again shortly."));
                throw;
            }
            var reason = ex switch
            {
                ArticleWriterException writer => writer.Reason,
                SectionRevisionException or DraftWorkflowException or DraftPermissionException or DraftRevisionConflictException or RequestStateException => ex.Message,
                _ when IsTransient(ex) => $"Gave up after {MaxAttempts} attempts: {ex.Message}",
                _ => $"Something went wrong while revising the section: {ex.Message}",
            };
            LogFailed(ex, requestId, reason);
            await SaveStateAsync(requestId, r => r.Fail(reason, time.GetUtcNow()));
        }
    }

    private Task<int?> RevisionForAsync(Guid requestId, CancellationToken ct) =>
        db.DraftRevisions.Where(r => r.ReviseRequestId == requestId).Select(r => (int?)r.Number).FirstOrDefaultAsync(ct);

    private async Task SaveStateAsync(Guid requestId, Action<SectionRevisionRequest> change)
    {
        db.ChangeTracker.Clear();
        var request = await db.SectionRevisions.FirstAsync(r => r.Id == requestId, CancellationToken.None);
        if (request.IsFinished) return;
        change(request);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Like hatching's: the model's own failures are final (its HTTP pipeline retried); a concurrent edit is worth another go.</summary>
    internal static bool IsTransient(Exception ex) => ex switch
    {
        ArticleWriterException => false,
        DbUpdateConcurrencyException => true,
        DbException { IsTransient: true } or TimeoutException or HttpRequestException or IOException => true,
        TaskCanceledException => true,
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(LogLevel.Warning, "Section revision {RequestId} no longer exists; job ignored")]
    private partial void LogMissing(Guid requestId);

    [LoggerMessage(LogLevel.Information, "Section revision {RequestId} stored draft {DraftId} revision {Revision}")]
    private partial void LogSucceeded(Guid requestId, Guid draftId, int revision);

    [LoggerMessage(LogLevel.Warning, "Section revision {RequestId} hit a transient error on attempt {Attempt}; Hangfire will retry")]
    private partial void LogTransient(Exception ex, Guid requestId, int attempt);

    [LoggerMessage(LogLevel.Warning, "Section revision {RequestId} failed: {Reason}")]
    private partial void LogFailed(Exception ex, Guid requestId, string reason);
}

/// <summary>A section revision that cannot be made, with a reason for the person who asked.</summary>
public sealed class SectionRevisionException(string message) : Exception(message);
