using System.Security.Claims;
using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

/// <summary>
/// What to hatch: <c>highlightIds</c>, a <c>source</c>, a <c>tag</c>, or nothing for all of the user's highlights;
/// and how the article should read (style, language, length), at the top level or under <c>options</c>.
/// </summary>
public sealed record HatchSubmission(
    IReadOnlyList<Guid>? HighlightIds = null, string? Source = null, string? Tag = null,
    string? Style = null, string? Language = null, string? Length = null, HatchSubmissionOptions? Options = null)
{
    public HatchSelection Selection => new(HighlightIds is { Count: > 0 } ? HighlightIds : null,
        string.IsNullOrWhiteSpace(Source) ? null : Source, string.IsNullOrWhiteSpace(Tag) ? null : Tag);

    public HatchSettings Settings => new(
        Options?.Style ?? Style ?? "essay",
        Options?.Language ?? Language ?? "en",
        Options?.Length ?? Length ?? "medium");
}

public sealed record HatchSubmissionOptions(string? Style = null, string? Language = null, string? Length = null);

public sealed record HatchAccepted(Guid Id, RequestStatus Status);

public sealed record HatchStatusDto(Guid Id, RequestStatus Status, HatchStage? Stage, Guid? DraftId, string? Error)
{
    public static HatchStatusDto From(HatchRequest r) => new(r.Id, r.Status, r.Stage, r.DraftId, r.Error);
}

/// <summary>/api/hatches: ask for an article and watch the request.</summary>
public static class HatchesApi
{
    public static IEndpointRouteBuilder MapHatchesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/hatches")
            .WithTags("Hatches")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();

        group.MapPost("/", SubmitAsync).RequireRateLimiting(RateLimitPolicies.Hatch).WithSummary("Accepts a hatch request: 202 with its Location; the article is written in the background.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/", ListAsync).WithSummary("The user's recent hatch requests.");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetHatch").WithSummary("A request's status: Queued, Running (with its stage), Succeeded (with draftId) or Failed (with error).");
        group.MapPost("/{id:guid}/retry", RetryAsync).RequireRateLimiting(RateLimitPolicies.Hatch).WithSummary("Runs a failed request again; 409 unless it failed.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Accepted<HatchAccepted>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HatchSubmission? submission, ClaimsPrincipal user, HatchScheduler scheduler, CancellationToken ct)
    {
        submission ??= new HatchSubmission();
        var result = await scheduler.SubmitAsync(user.UserId(), submission.Selection, submission.Settings, ct);
        return result.Outcome switch
        {
            SubmitOutcome.Accepted => TypedResults.Accepted($"/api/hatches/{result.Request!.Id}", new HatchAccepted(result.Request.Id, result.Request.Status)),
            SubmitOutcome.UnknownHighlights => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Highlights not found", detail: result.Problem),
            SubmitOutcome.TooManyHighlights => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["highlightIds"] = [result.Problem!] }, title: "Too many highlights selected"),
            SubmitOutcome.InvalidSettings => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["options"] = [result.Problem!] }),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Nothing to hatch", detail: result.Problem),
        };
    }

    private static async Task<Ok<HatchStatusDto[]>> ListAsync(ClaimsPrincipal user, HatchDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.RequestsOf(user.UserId()).AsNoTracking().OrderByDescending(r => r.CreatedAt).Take(100).ToListAsync(ct))
            .Select(HatchStatusDto.From).ToArray());

    private static async Task<Results<Ok<HatchStatusDto>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, HatchDbContext db, CancellationToken ct) =>
        await db.RequestsOf(user.UserId()).AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } request
            ? TypedResults.Ok(HatchStatusDto.From(request))
            : TypedResults.NotFound();

    private static async Task<Results<Accepted<HatchAccepted>, NotFound, ProblemHttpResult>> RetryAsync(
        Guid id, ClaimsPrincipal user, HatchScheduler scheduler, CancellationToken ct) =>
        await scheduler.RetryAsync(user.UserId(), id, ct) switch
        {
            RetryOutcome.Requeued => TypedResults.Accepted($"/api/hatches/{id}", new HatchAccepted(id, RequestStatus.Queued)),
            RetryOutcome.NotFound => TypedResults.NotFound(),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Only a failed request can be retried"),
        };
}
