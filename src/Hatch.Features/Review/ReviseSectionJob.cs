using System.Text.Json;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.Features.Requests;
using Hatch.Writing.Hatching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Review;

/// <summary>
/// Runs one section revision request: loads it by id, asks the model (<see cref="ISectionReviser"/>) with the section,
/// the instruction and the highlights the section cites, validates the result against the draft's sources and stores
/// it as the draft's next revision (with the model's provenance) together with the request's success, in one
/// transaction. Reentrant and retried as every tracked request is (<see cref="TrackedRequestJob{TRequest}"/>): a
/// second run finds the revision the first one stored (the unique ReviseRequestId on revisions settles a race).
/// </summary>
public sealed partial class ReviseSectionJob(HatchDbContext db, ISectionReviser reviser, TimeProvider time, DraftRegrounding regrounding, ILogger<ReviseSectionJob> logger)
    : TrackedRequestJob<SectionRevisionRequest>(db, time, logger)
{
    protected override IQueryable<SectionRevisionRequest> Requests => Db.SectionRevisions;

    protected override string Activity => "revising the section";

    protected override string Product => "the revised section";

    [AutomaticRetry(Attempts = MaxAttempts, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid requestId, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["RevisionRequestId"] = requestId });
        var request = await Db.SectionRevisions.FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        await RunTrackedAsync(requestId, request, ReviseAsync, cancellationToken);
    }

    private async Task ReviseAsync(SectionRevisionRequest request, CancellationToken cancellationToken)
    {
        var draft = await Db.LoadDraftAsync(request.DraftId, cancellationToken)
            ?? throw new SectionRevisionException("The draft no longer exists.");
        var actor = await ReviewService.ActorAsync(Db, request.UserId, cancellationToken);
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

        draft.Edit(actor, updated, ReviewService.Render(draft, updated), draft.Revision, Time.GetUtcNow(), RevisionKind.Revised,
            JsonSerializer.Serialize(revised.Provenance, HatchJson.Options), reviseRequestId: request.Id,
            note: $"section {request.SectionIndex + 1} \"{section.Heading}\": {request.Instruction}");
        await regrounding.ApplyAsync(draft, article, updated, cancellationToken);
        request.Succeed(draft.Revision, Time.GetUtcNow());
        await Db.SaveChangesAsync(cancellationToken); // one transaction: the revision, the draft, the audit line, Succeeded
        LogSucceeded(request.Id, draft.Id, draft.Revision);
    }

    protected override async Task<Action<SectionRevisionRequest>?> StoredResultAsync(Guid requestId, CancellationToken cancellationToken) =>
        await Db.DraftRevisions.Where(r => r.ReviseRequestId == requestId).Select(r => (int?)r.Number).FirstOrDefaultAsync(cancellationToken) is { } revision
            ? r => r.Succeed(revision, Time.GetUtcNow())
            : null;

    protected override string? KnownFailure(Exception ex) =>
        ex is SectionRevisionException or DraftWorkflowException or DraftPermissionException or DraftRevisionConflictException ? ex.Message : null;

    [LoggerMessage(LogLevel.Information, "Section revision {RequestId} stored draft {DraftId} revision {Revision}")]
    private partial void LogSucceeded(Guid requestId, Guid draftId, int revision);
}

/// <summary>A section revision that cannot be made, with a reason for the person who asked.</summary>
public sealed class SectionRevisionException(string message) : Exception(message);
