using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Requests;
using Hatch.Features.Requests;
using Hatch.Writing.Importing;
using Hatch.Writing.Hatching;
using Hatch.Writing.Rendering;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Review;

public enum ReviewOutcomeKind { Ok, NotFound, Forbidden, IllegalState, Conflict, Invalid, NeedsModel, Busy, Stale }

/// <summary>Two versions of one draft: the caller's (not saved) and the one that is current.</summary>
public sealed record EditConflict(int CurrentRevision, int ExpectedRevision, Article Current, Article? Yours);

/// <summary>What a review operation did, for the API (status codes) and the pages (messages).</summary>
public sealed record ReviewOutcome(
    ReviewOutcomeKind Kind,
    Draft? Draft = null,
    string? Message = null,
    DraftStatus? Current = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    EditConflict? Conflict = null,
    object? Value = null)
{
    public bool Succeeded => Kind == ReviewOutcomeKind.Ok;
    public static ReviewOutcome NotFound { get; } = new(ReviewOutcomeKind.NotFound, Message: "There is no such draft, or it is not yours to see.");
}

/// <summary>
/// The editorial workflow as the API and the pages use it: every operation loads the draft, checks who may see it,
/// lets the domain (<see cref="Draft"/>) decide, and saves in one transaction. A save that loses a race (the
/// concurrency token or the revision key turns it away) is tried again on the fresh state, where the domain then
/// decides: a second approval finds the draft Approved (409), a stale edit finds a newer revision (conflict).
/// </summary>
public sealed partial class ReviewService(
    HatchDbContext db,
    TimeProvider time,
    IBackgroundJobClient jobs,
    RequestQueue queue,
    ISectionReviser reviser,
    IOptions<WebhookOptions> webhooks,
    DraftRegrounding regrounding,
    IOptions<HatchLimits> limits,
    ReviewEmailJob reviewEmails,
    ILogger<ReviewService> logger)
{
    private const int MaxSaveAttempts = 3;

    /// <summary>The actor for a user id, with the roles the database holds for them.</summary>
    public static async Task<DraftActor> ActorAsync(HatchDbContext db, string userId, CancellationToken ct)
    {
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == userId
                           select r.Name).ToListAsync(ct);
        return new DraftActor(userId, roles.Contains(HatchUser.Roles.Editor), roles.Contains(HatchUser.Roles.Admin));
    }

    /// <summary>The draft if the actor may see it, untracked, with its highlights.</summary>
    public async Task<Draft?> FindAsync(Guid id, DraftActor actor, CancellationToken ct)
    {
        var draft = await db.Drafts.AsNoTracking()
            .Include(d => d.Highlights).ThenInclude(h => h.Highlight)
            .AsSplitQuery()
            .FirstOrDefaultAsync(d => d.Id == id, ct);
        return draft is not null && draft.IsVisibleTo(actor) ? draft : null;
    }

    /// <summary>Submits the draft; the notices to editors who asked for one are stored with it and sent after the commit.</summary>
    public async Task<ReviewOutcome> SubmitAsync(Guid id, DraftActor actor, CancellationToken ct)
    {
        IReadOnlyList<StoredReviewEmail> notices = [];
        var outcome = await MutateAsync(id, actor, async draft =>
        {
            draft.Submit(actor, time.GetUtcNow());
            notices = await reviewEmails.RecordAsync(draft, ct);
        }, ct);
        if (outcome.Succeeded && notices.Count > 0)
        {
            try
            {
                await reviewEmails.EnqueueAsync(notices.Select(n => n.Id), CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The notices are stored: the request sweeper enqueues them once they are old enough.
                LogNoticeEnqueueFailed(ex, id);
            }
        }
        return outcome;
    }

    /// <param name="expectedRevision">The revision the editor read (null: whatever is current, for clients that do not say).</param>
    public async Task<ReviewOutcome> ApproveAsync(Guid id, DraftActor actor, int? expectedRevision, CancellationToken ct) =>
        Stale(await MutateAsync(id, actor, draft => { draft.Approve(actor, time.GetUtcNow(), expectedRevision); return Task.CompletedTask; }, ct), "approve");

    public Task<ReviewOutcome> RejectAsync(Guid id, DraftActor actor, string? reason, CancellationToken ct) =>
        MutateAsync(id, actor, draft => { draft.Reject(actor, reason ?? "", time.GetUtcNow()); return Task.CompletedTask; }, ct);

    public async Task<ReviewOutcome> PublishAsync(Guid id, DraftActor actor, int? expectedRevision, CancellationToken ct)
    {
        var outcome = Stale(await MutateAsync(id, actor, async draft =>
        {
            // The domain checks first, so an illegal publish is a 409 and not a wasted slug look-up.
            draft.Require(DraftAction.Publish, actor);
            draft.RequireRevision(expectedRevision);
            var slug = draft.Slug ?? await UniqueSlugAsync(draft.Title, ct);
            draft.Publish(actor, slug, time.GetUtcNow(), expectedRevision);
        }, ct), "publish");
        if (outcome.Succeeded && webhooks.Value.IsEnabled)
        {
            try
            {
                jobs.Enqueue<PublishWebhookJob>(job => job.SendAsync(id, 0, CancellationToken.None));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWebhookEnqueueFailed(ex, id);
            }
        }
        return outcome;
    }

    /// <summary>Saves the article as the next revision if <paramref name="expectedRevision"/> is still current.</summary>
    public Task<ReviewOutcome> EditAsync(Guid id, DraftActor actor, Article? article, int expectedRevision, CancellationToken ct) =>
        MutateAsync(id, actor, async draft =>
        {
            draft.Require(DraftAction.Edit, actor);
            if (expectedRevision != draft.Revision)
                throw new DraftRevisionConflictException(draft.Revision, expectedRevision);
            // A reviewer sees only the highlights the article cites; an edit must not reveal the others by citing them.
            var citable = draft.IsOwnedBy(actor) ? null : draft.Article.AllCitations().ToHashSet();
            var errors = DraftEdits.Validate(article, draft.SourceNumbers, citable);
            if (errors.Count > 0) throw new DraftValidationException(errors);
            var normalized = DraftEdits.Normalize(article!);
            var before = draft.Article;
            draft.Edit(actor, normalized, Render(draft, normalized), expectedRevision, time.GetUtcNow());
            await regrounding.ApplyAsync(draft, before, normalized, ct);
        }, ct, yours: article);

    /// <summary>Makes revision <paramref name="number"/>'s article the next revision (nothing is ever overwritten).</summary>
    public Task<ReviewOutcome> RestoreAsync(Guid id, DraftActor actor, int number, int? expectedRevision, CancellationToken ct) =>
        MutateAsync(id, actor, async draft =>
        {
            draft.Require(DraftAction.Edit, actor);
            var revision = await db.DraftRevisions.AsNoTracking().FirstOrDefaultAsync(r => r.DraftId == id && r.Number == number, ct)
                ?? throw new DraftInputException("number", $"The draft has no revision {number}.");
            var article = System.Text.Json.JsonSerializer.Deserialize<Article>(revision.ArticleJson, HatchJson.Options)!;
            var before = draft.Article;
            draft.Edit(actor, article, Render(draft, article), expectedRevision ?? draft.Revision, time.GetUtcNow(),
                RevisionKind.Restored, restoredFrom: number);
            await regrounding.ApplyAsync(draft, before, article, ct);
        }, ct);

    public async Task<ReviewOutcome> CommentAsync(Guid id, DraftActor actor, string? body, int? sectionIndex, CancellationToken ct)
    {
        var draft = await FindAsync(id, actor, ct);
        if (draft is null) return ReviewOutcome.NotFound;
        try
        {
            var comment = DraftComment.Create(draft, actor, body ?? "", sectionIndex, time.GetUtcNow());
            db.DraftComments.Add(comment);
            await db.SaveChangesAsync(ct);
            return new ReviewOutcome(ReviewOutcomeKind.Ok, draft, Value: comment);
        }
        catch (DraftInputException ex)
        {
            return Invalid(ex);
        }
    }

    /// <summary>
    /// Stores a request to revise one section with the model (before its job is enqueued) and enqueues it. With the
    /// extractive writer there is no model to ask: the answer says so and nothing is stored.
    /// </summary>
    public async Task<ReviewOutcome> RequestReviseAsync(Guid id, DraftActor actor, int sectionIndex, string? instruction, CancellationToken ct)
    {
        var draft = await FindAsync(id, actor, ct);
        if (draft is null) return ReviewOutcome.NotFound;
        try
        {
            var owner = draft.IsOwnedBy(actor);
            if (!Draft.HasRole(DraftAction.Edit, owner, actor.IsReviewer))
                throw new DraftPermissionException(DraftAction.Edit, "Only the draft's author or an editor can revise it.");
            if (!reviser.IsAvailable)
                return new ReviewOutcome(ReviewOutcomeKind.NeedsModel, draft,
                    "Revising a section needs a language model, and this Hatch drafts with the offline extractive writer, which only quotes highlights. " +
                    "Configure Hatch:Llm:Provider (OpenAI, AzureOpenAI or OpenAICompatible) to revise with a model; you can still edit the section by hand.",
                    draft.Status);
            draft.Require(DraftAction.Edit, actor);
            var sections = draft.Article.Sections.Count;
            if (sectionIndex < 0 || sectionIndex >= sections)
                throw new DraftInputException("index", $"The draft has sections 0–{sections - 1}; there is no section {sectionIndex}.");

            // Each request is a model call; a draft cannot queue more than a few at once.
            var pending = await db.SectionRevisions.CountAsync(r => r.DraftId == id && r.Status != RequestStatus.Succeeded && r.Status != RequestStatus.Failed, ct);
            if (pending >= limits.Value.MaxPendingRevisionsPerDraft)
                return new ReviewOutcome(ReviewOutcomeKind.Busy, draft,
                    $"{pending} revision(s) of this draft are still waiting or running, and a draft may have at most {limits.Value.MaxPendingRevisionsPerDraft} "
                    + "(Hatch:Limits:MaxPendingRevisionsPerDraft). Wait for one to finish, then ask again.", draft.Status);
            var request = SectionRevisionRequest.Create(id, sectionIndex, instruction ?? "", actor.UserId, draft.Revision, time.GetUtcNow());
            db.SectionRevisions.Add(request);
            await db.SaveChangesAsync(ct);
            await EnqueueReviseAsync(request, ct);
            return new ReviewOutcome(ReviewOutcomeKind.Ok, draft, Value: request);
        }
        catch (Exception ex) when (Map(ex, draft) is { } outcome)
        {
            return outcome;
        }
    }

    /// <summary>Enqueues the (already stored) revision request's job; a failure is left to the sweeper.</summary>
    public Task EnqueueReviseAsync(SectionRevisionRequest request, CancellationToken ct)
    {
        var requestId = request.Id;
        return queue.EnqueueAsync<ReviseSectionJob>(request, job => job.RunAsync(requestId, CancellationToken.None), ct);
    }

    private async Task<ReviewOutcome> MutateAsync(Guid id, DraftActor actor, Func<Draft, Task> change, CancellationToken ct, Article? yours = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var draft = await db.LoadDraftAsync(id, ct);
            if (draft is null || !draft.IsVisibleTo(actor)) return ReviewOutcome.NotFound;
            try
            {
                await change(draft);
                await db.SaveChangesAsync(ct);
                return new ReviewOutcome(ReviewOutcomeKind.Ok, draft);
            }
            catch (DbUpdateException ex) when (attempt < MaxSaveAttempts)
            {
                // Someone else changed the draft (token) or saved revision n + 1 (key) or took the slug between our
                // read and our write: decide again on what is there now.
                LogLostRace(id, attempt, ex.GetType().Name);
            }
            catch (DraftRevisionConflictException conflict)
            {
                return new ReviewOutcome(ReviewOutcomeKind.Conflict, draft, conflict.Message, draft.Status,
                    Conflict: new EditConflict(conflict.Current, conflict.Expected, draft.Article, yours));
            }
            catch (Exception ex) when (Map(ex, draft) is { } outcome)
            {
                return outcome;
            }
        }
    }

    /// <summary>A revision conflict on approve or publish: nothing to merge, the editor has to read the current text.</summary>
    private static ReviewOutcome Stale(ReviewOutcome outcome, string verb) =>
        outcome is { Kind: ReviewOutcomeKind.Conflict, Conflict: { } c }
            ? outcome with
            {
                Kind = ReviewOutcomeKind.Stale,
                Message = $"The draft is at revision {c.CurrentRevision}, but you read revision {c.ExpectedRevision}. Nothing changed: read the current revision, then {verb} it.",
            }
            : outcome;

    private static ReviewOutcome? Map(Exception ex, Draft draft) => ex switch
    {
        DraftPermissionException p => new ReviewOutcome(ReviewOutcomeKind.Forbidden, draft, p.Message, draft.Status),
        DraftWorkflowException w => new ReviewOutcome(ReviewOutcomeKind.IllegalState, draft, w.Message, w.Current),
        DraftValidationException v => new ReviewOutcome(ReviewOutcomeKind.Invalid, draft, "The article has problems.", draft.Status, v.Errors),
        DraftInputException i => Invalid(i),
        _ => null,
    };

    private static ReviewOutcome Invalid(DraftInputException ex) =>
        new(ReviewOutcomeKind.Invalid, Message: ex.Message, Errors: new Dictionary<string, string[]> { [ex.Field] = [ex.Message] });

    /// <summary>The draft's Markdown for a new article: same highlights, provenance and author.</summary>
    internal static string Render(Draft draft, Article article) =>
        DraftRenderer.Markdown(draft.ToDocument() with { Article = article });

    /// <summary>The title's slug, or the slug with -2, -3, … when taken; the unique index settles a race.</summary>
    private async Task<string> UniqueSlugAsync(string title, CancellationToken ct)
    {
        var stem = DraftEdits.Slugify(title);
        var taken = (await db.Drafts.AsNoTracking()
            .Where(d => d.Slug != null && (d.Slug == stem || d.Slug.StartsWith(stem + "-")))
            .Select(d => d.Slug!).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (!taken.Contains(stem)) return stem;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{stem}-{n}")) return $"{stem}-{n}";
    }

    [LoggerMessage(LogLevel.Information, "Draft {DraftId}: a concurrent change won the save (attempt {Attempt}, {Error}); deciding again")]
    private partial void LogLostRace(Guid draftId, int attempt, string error);


    [LoggerMessage(LogLevel.Warning, "Draft {DraftId} was submitted but its review notices could not be enqueued yet; the sweeper will")]
    private partial void LogNoticeEnqueueFailed(Exception ex, Guid draftId);

    [LoggerMessage(LogLevel.Error, "Draft {DraftId} was published but its webhook could not be enqueued")]
    private partial void LogWebhookEnqueueFailed(Exception ex, Guid draftId);
}

/// <summary>An edited article failed validation; <see cref="Errors"/> is keyed by the part (e.g. "sections[1]").</summary>
public sealed class DraftValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The article has problems: " + string.Join("; ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
