using System.Security.Claims;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Requests;
using Hatch.Features.Review;
using Hatch.Web.Infrastructure;
using Hatch.Web.Review;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

public sealed record RejectInput(string? Reason);

/// <summary>An edit: the article as the editor left it and the revision the editor started from.</summary>
public sealed record DraftEditInput(int ExpectedRevision, Article? Article);

public sealed record RestoreInput(int? ExpectedRevision = null);

/// <summary>An approval or publication: the revision the editor read, so a text changed since is not approved unseen.</summary>
public sealed record TransitionInput(int? ExpectedRevision = null);

public sealed record CommentInput(string? Body, int? SectionIndex = null);

public sealed record ReviseInput(string? Instruction);

public sealed record RevisionSummary(int Number, RevisionKind Kind, string UserId, string UserName, DateTimeOffset CreatedAt, string Title, int? RestoredFrom, string? Note);

public sealed record RevisionDto(
    int Number, RevisionKind Kind, string UserId, string UserName, DateTimeOffset CreatedAt, string Title, int? RestoredFrom, string? Note,
    Article Article, string Markdown, DraftProvenance? Provenance, IReadOnlyList<DiffLine> DiffFromPrevious);

public sealed record CommentDto(Guid Id, string UserId, string UserName, string Body, int? SectionIndex, DateTimeOffset CreatedAt);

public sealed record AuditEntryDto(DraftEventKind Kind, string UserId, string UserName, DateTimeOffset At, DraftStatus Status, int? Revision, string? Detail);

public sealed record ReviseAccepted(Guid Id, RequestStatus Status, int SectionIndex);

public sealed record ReviseStatusDto(Guid Id, RequestStatus Status, int SectionIndex, string Instruction, int? Revision, string? Error, DateTimeOffset CreatedAt);

/// <param name="UnsupportedSentences">How many sentences the grounding check found unsupported; null when the draft was not checked.</param>
public sealed record ReviewQueueItem(Guid Id, string Title, string AuthorId, string AuthorName, string Style, string Language, int Revision, DateTimeOffset SubmittedAt, DateTimeOffset CreatedAt, int? UnsupportedSentences = null);

public sealed record ReviewQueueQuery(string? Author, DateOnly? From, DateOnly? To, string? Style, int? Page, int? PageSize);

/// <summary>
/// The editorial review API: the workflow's transitions, edits with optimistic concurrency, revisions (with diffs)
/// and restore, comments, the audit trail, model revision of a section, and the review queue. Errors are
/// ProblemDetails: 404 for a draft the caller may not see, 403 for an action their role does not allow, 409 with
/// the draft's current state for an action its state does not allow (or with both versions for a stale edit),
/// 400 naming the part of the article that is wrong.
/// </summary>
public static class ReviewApi
{
    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        var drafts = app.MapGroup("/api/drafts/{id:guid}")
            .WithTags("Review")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();

        drafts.MapPost("/submit", (Guid id, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.SubmitAsync(id, a, ct), ct))
            .WithSummary("The author submits the draft for review (Draft or Rejected → Submitted).").Transition();
        drafts.MapPost("/approve", (Guid id, TransitionInput? input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.ApproveAsync(id, a, input?.ExpectedRevision, ct), ct))
            .WithSummary("An editor other than the author approves it (Submitted → Approved); with expectedRevision, 409 when the draft has changed since.").Transition();
        drafts.MapPost("/reject", (Guid id, RejectInput? input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.RejectAsync(id, a, input?.Reason, ct), ct))
            .WithSummary("An editor other than the author rejects it with a reason (Submitted or Approved → Rejected).").Transition();
        drafts.MapPost("/publish", (Guid id, TransitionInput? input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.PublishAsync(id, a, input?.ExpectedRevision, ct), ct))
            .WithSummary("An editor other than the author publishes it at /a/{slug} (Approved → Published); with expectedRevision, 409 when the draft has changed since.").Transition();
        drafts.MapPut("/", (Guid id, DraftEditInput input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.EditAsync(id, a, input.Article, input.ExpectedRevision, ct), ct))
            .WithSummary("Saves an edited article as the next revision; 409 with both versions when expectedRevision is stale.").Transition();

        drafts.MapGet("/revisions", RevisionsAsync).WithSummary("Every revision of the draft, oldest first.").Produces<RevisionSummary[]>();
        drafts.MapGet("/revisions/{number:int}", RevisionAsync).WithSummary("One revision with its article, Markdown and a diff from the previous one.").Produces<RevisionDto>();
        drafts.MapPost("/revisions/{number:int}/restore", (Guid id, int number, RestoreInput? input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct) =>
                Transition(id, user, deps, (s, a) => s.RestoreAsync(id, a, number, input?.ExpectedRevision, ct), ct))
            .WithSummary("Makes that revision's article the next revision.").Transition();

        drafts.MapGet("/comments", CommentsAsync).WithSummary("The draft's comments, oldest first.").Produces<CommentDto[]>();
        drafts.MapPost("/comments", AddCommentAsync).WithSummary("Adds a comment, optionally about one section (by index).")
            .Produces<CommentDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        drafts.MapGet("/audit", AuditAsync).WithSummary("The draft's audit trail: who created, edited, submitted, approved, rejected, published, revised or restored it, and when.")
            .Produces<AuditEntryDto[]>();

        drafts.MapPost("/sections/{index:int}/revise", ReviseAsync)
            .RequireRateLimiting(RateLimitPolicies.Revise)
            .WithSummary("Asks the language model to revise one section as instructed: 202, the result becomes a new revision. 409 when no model is configured.")
            .Produces<ReviseAccepted>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        drafts.MapGet("/revise/{requestId:guid}", ReviseStatusAsync).WithName("GetSectionRevision").WithSummary("A section revision request's status.")
            .Produces<ReviseStatusDto>();

        app.MapGet("/api/review", QueueAsync)
            .WithTags("Review")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("The review queue for editors: submitted drafts, oldest first, filtered by author (id or email), submission date and style.");

        var notifications = app.MapGroup("/api/review/notifications")
            .WithTags("Review")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        notifications.MapGet("/", GetNotificationsAsync)
            .WithSummary("Whether the editor is emailed when a draft is submitted for review, and whether this Hatch sends email at all.");
        notifications.MapPut("/", PutNotificationsAsync)
            .WithSummary("Turns the editor's submission email on or off (editors and admins only).");
        return app;
    }

    /// <summary>What every review endpoint needs, in one parameter.</summary>
    public sealed record ReviewDeps(ReviewService Review, HatchDbContext Db, HttpRequest Request);

    private static RouteHandlerBuilder Transition(this RouteHandlerBuilder builder) => builder
        .Produces<DraftDto>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

    internal static Task<DraftActor> ActorAsync(ClaimsPrincipal user, HatchDbContext db, CancellationToken ct) =>
        ReviewService.ActorAsync(db, user.UserId(), ct);

    private static async Task<IResult> Transition(Guid id, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, Func<ReviewService, DraftActor, Task<ReviewOutcome>> act, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        var outcome = await act(deps.Review, actor);
        if (!outcome.Succeeded) return Problem(outcome);
        var draft = await deps.Review.FindAsync(id, actor, ct);
        // A reviewer who rejects a draft hands it back to its author and stops seeing it: the answer says what they did
        // and no more.
        if (draft is null && outcome.Draft is { Status: Hatch.Domain.Drafts.DraftStatus.Rejected } handedBack)
            return TypedResults.Ok(new RejectedDraftDto(handedBack.Id, handedBack.Status, handedBack.RejectionReason));
        return draft is null ? Problem(ReviewOutcome.NotFound) : TypedResults.Ok(DraftDto.From(draft, actor, deps.Request));
    }

    /// <summary>The answer to a reject, once the draft is back with its author and out of the reviewer's sight.</summary>
    public sealed record RejectedDraftDto(Guid Id, Hatch.Domain.Drafts.DraftStatus Status, string? RejectionReason);

    /// <summary>The ProblemDetails for an outcome that is not a success; 409s carry the draft's current state.</summary>
    public static IResult Problem(ReviewOutcome outcome)
    {
        var extensions = new Dictionary<string, object?>();
        if (outcome.Current is { } state) extensions["state"] = state.ToString();
        if (outcome.Draft is { } d) extensions["revision"] = d.Revision;
        return outcome.Kind switch
        {
            ReviewOutcomeKind.NotFound => TypedResults.Problem(statusCode: 404, title: "Draft not found", detail: outcome.Message),
            ReviewOutcomeKind.Forbidden => TypedResults.Problem(statusCode: 403, title: "Not allowed", detail: outcome.Message, extensions: extensions),
            ReviewOutcomeKind.IllegalState => TypedResults.Problem(statusCode: 409, title: $"Not possible while the draft is {outcome.Current}",
                detail: outcome.Message, extensions: extensions),
            ReviewOutcomeKind.NeedsModel => TypedResults.Problem(statusCode: 409, title: "Revising needs a language model",
                detail: outcome.Message, extensions: extensions),
            ReviewOutcomeKind.Stale when outcome.Conflict is { } stale => TypedResults.Problem(statusCode: 409,
                title: "The draft changed since you read it", detail: outcome.Message,
                extensions: new Dictionary<string, object?>(extensions) { ["currentRevision"] = stale.CurrentRevision, ["expectedRevision"] = stale.ExpectedRevision }),
            ReviewOutcomeKind.Busy => TypedResults.Problem(statusCode: 409, title: "Too many revisions pending",
                detail: outcome.Message, extensions: extensions),
            ReviewOutcomeKind.Conflict when outcome.Conflict is { } c => TypedResults.Problem(statusCode: 409,
                title: "The draft changed since you started editing",
                detail: $"{outcome.Message} Nothing was saved: both versions are here; merge your changes into revision {c.CurrentRevision} and save again.",
                extensions: new Dictionary<string, object?>(extensions)
                {
                    ["currentRevision"] = c.CurrentRevision,
                    ["expectedRevision"] = c.ExpectedRevision,
                    ["current"] = c.Current,
                    ["yours"] = c.Yours,
                }),
            ReviewOutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors ?? new Dictionary<string, string[]>(),
                detail: outcome.Message, title: "The request has problems"),
            _ => TypedResults.Problem(statusCode: 500, title: "Unexpected outcome"),
        };
    }

    private static async Task<IResult> RevisionsAsync(Guid id, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        if (await deps.Review.FindAsync(id, actor, ct) is null) return Problem(ReviewOutcome.NotFound);
        var rows = await deps.Db.DraftRevisions.AsNoTracking().Where(r => r.DraftId == id).OrderBy(r => r.Number).ToListAsync(ct);
        var names = await UserNames.OfAsync(deps.Db, rows.Select(r => r.UserId), ct);
        return TypedResults.Ok(rows.Select(r => new RevisionSummary(r.Number, r.Kind, r.UserId, names[r.UserId], r.CreatedAt, r.Title, r.RestoredFrom, r.Note)).ToArray());
    }

    private static async Task<IResult> RevisionAsync(Guid id, int number, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        if (await deps.Review.FindAsync(id, actor, ct) is null) return Problem(ReviewOutcome.NotFound);
        var pair = await deps.Db.DraftRevisions.AsNoTracking().Where(r => r.DraftId == id && (r.Number == number || r.Number == number - 1)).ToListAsync(ct);
        var revision = pair.FirstOrDefault(r => r.Number == number);
        if (revision is null) return TypedResults.Problem(statusCode: 404, title: "Revision not found", detail: $"The draft has no revision {number}.");
        var previous = pair.FirstOrDefault(r => r.Number == number - 1);
        var names = await UserNames.OfAsync(deps.Db, [revision.UserId], ct);
        return TypedResults.Ok(new RevisionDto(revision.Number, revision.Kind, revision.UserId, names[revision.UserId], revision.CreatedAt, revision.Title,
            revision.RestoredFrom, revision.Note,
            JsonSerializer.Deserialize<Article>(revision.ArticleJson, HatchJson.Options)!, revision.Markdown,
            revision.ProvenanceJson is null ? null : JsonSerializer.Deserialize<DraftProvenance>(revision.ProvenanceJson, HatchJson.Options),
            RevisionDiff.Inline(previous?.Markdown, revision.Markdown)));
    }

    private static async Task<IResult> CommentsAsync(Guid id, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        if (await deps.Review.FindAsync(id, actor, ct) is null) return Problem(ReviewOutcome.NotFound);
        var rows = await deps.Db.DraftComments.AsNoTracking().Where(c => c.DraftId == id).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        var names = await UserNames.OfAsync(deps.Db, rows.Select(r => r.UserId), ct);
        return TypedResults.Ok(rows.Select(c => new CommentDto(c.Id, c.UserId, names[c.UserId], c.Body, c.SectionIndex, c.CreatedAt)).ToArray());
    }

    private static async Task<IResult> AddCommentAsync(Guid id, CommentInput input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        var outcome = await deps.Review.CommentAsync(id, actor, input.Body, input.SectionIndex, ct);
        if (!outcome.Succeeded) return Problem(outcome);
        var c = (DraftComment)outcome.Value!;
        var names = await UserNames.OfAsync(deps.Db, [c.UserId], ct);
        return TypedResults.Created($"/api/drafts/{id}/comments", new CommentDto(c.Id, c.UserId, names[c.UserId], c.Body, c.SectionIndex, c.CreatedAt));
    }

    private static async Task<IResult> AuditAsync(Guid id, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        if (await deps.Review.FindAsync(id, actor, ct) is null) return Problem(ReviewOutcome.NotFound);
        var rows = (await deps.Db.DraftEvents.AsNoTracking().Where(e => e.DraftId == id).ToListAsync(ct))
            .OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
        var names = await UserNames.OfAsync(deps.Db, rows.Select(r => r.UserId), ct);
        return TypedResults.Ok(rows.Select(e => new AuditEntryDto(e.Kind, e.UserId, names[e.UserId], e.At, e.Status, e.Revision, e.Detail)).ToArray());
    }

    private static async Task<IResult> ReviseAsync(Guid id, int index, ReviseInput? input, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        var outcome = await deps.Review.RequestReviseAsync(id, actor, index, input?.Instruction, ct);
        if (!outcome.Succeeded) return Problem(outcome);
        var request = (SectionRevisionRequest)outcome.Value!;
        return TypedResults.Accepted($"/api/drafts/{id}/revise/{request.Id}", new ReviseAccepted(request.Id, request.Status, request.SectionIndex));
    }

    private static async Task<IResult> ReviseStatusAsync(Guid id, Guid requestId, ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] ReviewDeps deps, CancellationToken ct)
    {
        var actor = await ActorAsync(user, deps.Db, ct);
        if (await deps.Review.FindAsync(id, actor, ct) is null) return Problem(ReviewOutcome.NotFound);
        var r = await deps.Db.SectionRevisions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == requestId && x.DraftId == id, ct);
        return r is null
            ? TypedResults.Problem(statusCode: 404, title: "Revision request not found")
            : TypedResults.Ok(new ReviseStatusDto(r.Id, r.Status, r.SectionIndex, r.Instruction, r.ResultRevision, r.Error, r.CreatedAt));
    }

    private static async Task<Results<Ok<ReviewNotificationsDto>, ProblemHttpResult>> GetNotificationsAsync(
        ClaimsPrincipal user, HatchDbContext db, Microsoft.Extensions.Options.IOptions<Hatch.Features.Email.EmailOptions> email, CancellationToken ct)
    {
        if (!(await ActorAsync(user, db, ct)).IsReviewer)
            return TypedResults.Problem(statusCode: 403, title: "Not allowed", detail: "Submission emails are for editors and admins.");
        return TypedResults.Ok(new ReviewNotificationsDto(await ReviewNotifications.GetAsync(db, user.UserId(), ct), email.Value.IsConfigured));
    }

    private static async Task<Results<Ok<ReviewNotificationsDto>, ProblemHttpResult>> PutNotificationsAsync(
        ReviewNotificationsInput input, ClaimsPrincipal user, HatchDbContext db, Microsoft.Extensions.Options.IOptions<Hatch.Features.Email.EmailOptions> email, CancellationToken ct)
    {
        if (!(await ActorAsync(user, db, ct)).IsReviewer)
            return TypedResults.Problem(statusCode: 403, title: "Not allowed", detail: "Submission emails are for editors and admins.");
        await ReviewNotifications.SetAsync(db, user.UserId(), input.EmailOnSubmission, ct);
        return TypedResults.Ok(new ReviewNotificationsDto(input.EmailOnSubmission, email.Value.IsConfigured));
    }

    /// <summary>Roles are read from the database on every request, so a role granted or revoked counts at once, whatever the token says.</summary>
    private static async Task<Results<Ok<ReviewQueueItem[]>, ProblemHttpResult>> QueueAsync(
        [AsParameters] ReviewQueueQuery query, ClaimsPrincipal user, HatchDbContext db, CancellationToken ct)
    {
        if (!(await ActorAsync(user, db, ct)).IsReviewer)
            return TypedResults.Problem(statusCode: 403, title: "Not allowed", detail: "The review queue is for editors and admins.");
        return TypedResults.Ok(await ReviewQueue.LoadAsync(db, query, ct));
    }
}

/// <param name="EmailOnSubmission">Email me when a draft is submitted for review.</param>
public sealed record ReviewNotificationsInput(bool EmailOnSubmission);

/// <param name="EmailConfigured">False when this Hatch has no Hatch:Email settings: nothing is sent whatever the choice.</param>
public sealed record ReviewNotificationsDto(bool EmailOnSubmission, bool EmailConfigured);

/// <summary>An editor's choice of submission emails, shared by the API and the review page.</summary>
public static class ReviewNotifications
{
    public static async Task<bool> GetAsync(HatchDbContext db, string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.EmailOnSubmission).FirstOrDefaultAsync(ct);

    public static Task SetAsync(HatchDbContext db, string userId, bool on, CancellationToken ct) =>
        db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailOnSubmission, on), ct);
}

/// <summary>The review queue, shared by the API and the page.</summary>
public static class ReviewQueue
{
    public static async Task<ReviewQueueItem[]> LoadAsync(HatchDbContext db, ReviewQueueQuery query, CancellationToken ct)
    {
        var size = Math.Clamp(query.PageSize ?? 50, 1, 200);
        var skip = (Math.Max(1, query.Page ?? 1) - 1) * size;
        var drafts = db.Drafts.AsNoTracking().Where(d => d.Status == DraftStatus.Submitted);
        if (!string.IsNullOrWhiteSpace(query.Author))
        {
            var author = query.Author.Trim();
            var normalized = author.ToUpperInvariant();
            var ids = db.Users.Where(u => u.Id == author || u.NormalizedEmail == normalized || u.DisplayName == author).Select(u => u.Id);
            drafts = drafts.Where(d => ids.Contains(d.UserId));
        }
        if (!string.IsNullOrWhiteSpace(query.Style))
        {
            var style = query.Style.Trim().ToLowerInvariant();
            drafts = drafts.Where(d => d.Style == style);
        }
        if (query.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            drafts = drafts.Where(d => d.SubmittedAt >= start);
        }
        if (query.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            drafts = drafts.Where(d => d.SubmittedAt < end);
        }
        var rows = await drafts.OrderBy(d => d.SubmittedAt).ThenBy(d => d.Id).Skip(skip).Take(size)
            .Select(d => new { d.Id, d.Title, d.UserId, d.Style, d.Language, d.Revision, d.SubmittedAt, d.CreatedAt, d.ProvenanceJson })
            .ToListAsync(ct);
        var names = await UserNames.OfAsync(db, rows.Select(r => r.UserId), ct);
        return rows.Select(r => new ReviewQueueItem(r.Id, r.Title, r.UserId, names[r.UserId], r.Style, r.Language, r.Revision, r.SubmittedAt!.Value, r.CreatedAt,
            JsonSerializer.Deserialize<DraftProvenance>(r.ProvenanceJson, HatchJson.Options)?.Grounding?.Unsupported.Count)).ToArray();
    }
}

/// <summary>How people are named to each other inside Hatch: their display name, else their email.</summary>
public static class UserNames
{
    public static async Task<IReadOnlyDictionary<string, string>> OfAsync(HatchDbContext db, IEnumerable<string> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        var found = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
        var names = found.ToDictionary(u => u.Id, u => !string.IsNullOrWhiteSpace(u.DisplayName) ? u.DisplayName! : u.Email ?? u.Id);
        foreach (var id in wanted) names.TryAdd(id, "(deleted user)");
        return names;
    }
}
