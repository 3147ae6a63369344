using System.Security.Claims;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Features.Review;
using Hatch.Writing.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

public sealed record DraftSummary(Guid Id, Guid RequestId, string Title, DraftStatus Status, DateTimeOffset CreatedAt);

public sealed record DraftSourceDto(int Number, Guid HighlightId, string Text, string Source, string? Author, string? Url, string? Location, bool Cited);

/// <summary>
/// A draft as the API shows it. Its author sees every highlight given to the writer; a reviewer sees only the
/// highlights the article cites (never the author's notes or the rest of their library). <see cref="PublicUrl"/> is
/// set once the draft is published; <see cref="Actions"/> lists what the caller may do now; <see cref="Grounding"/> the
/// grounding check's report, also inside <see cref="Provenance"/> where it is stored.
/// </summary>
public sealed record DraftDto(
    Guid Id, Guid RequestId, DraftStatus Status, DateTimeOffset CreatedAt, string Title, string Language, string? AuthorName,
    Article Article, IReadOnlyList<DraftSourceDto> Highlights, DraftProvenance Provenance, string Markdown,
    int Revision, string Style, DateTimeOffset UpdatedAt, string? RejectionReason, DateTimeOffset? SubmittedAt, DateTimeOffset? ApprovedAt,
    DateTimeOffset? PublishedAt, string? Slug, string? PublicUrl, IReadOnlyList<DraftAction> Actions)
{
    /// <summary>Which sentences stand on the highlights they cite (null: the draft was not checked).</summary>
    public GroundingReport? Grounding => Provenance.Grounding;

    public static DraftDto From(Draft draft, DraftActor actor, HttpRequest request)
    {
        var article = draft.Article;
        var cited = article.AllCitations().ToHashSet();
        var owner = draft.IsOwnedBy(actor);
        return new DraftDto(draft.Id, draft.RequestId, draft.Status, draft.CreatedAt, draft.Title, draft.Language, draft.AuthorName,
            article,
            draft.Highlights.Where(h => owner || cited.Contains(h.Number)).OrderBy(h => h.Number).Select(h => new DraftSourceDto(
                h.Number, h.HighlightId, h.Highlight!.Text, h.Highlight.SourceTitle, h.Highlight.SourceAuthor,
                DraftRenderer.SafeUrl(h.Highlight.SourceUrl), h.Highlight.ToHighlight().Location?.ToString(), cited.Contains(h.Number))).ToArray(),
            draft.Provenance, draft.Markdown,
            draft.Revision, draft.Style, draft.UpdatedAt, draft.RejectionReason, draft.SubmittedAt, draft.ApprovedAt, draft.PublishedAt, draft.Slug,
            PublicUrlOf(draft, request), draft.ActionsFor(actor));
    }

    /// <summary>The absolute address of a published draft's public page.</summary>
    public static string? PublicUrlOf(Draft draft, HttpRequest request) =>
        draft is { Status: DraftStatus.Published, Slug: { } slug } ? $"{request.Scheme}://{request.Host}/a/{Uri.EscapeDataString(slug)}" : null;
}

/// <summary>/api/drafts: the stored articles.</summary>
public static class DraftsApi
{
    public const string MarkdownMediaType = "text/markdown";

    public static IEndpointRouteBuilder MapDraftsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/drafts").WithTags("Drafts").RequireAuthorization();
        group.MapGet("/", ListAsync).WithSummary("The user's drafts, newest first.");
        group.MapGet("/{id:guid}", GetAsync)
            .Produces<DraftDto>(contentType: "application/json")
            .Produces<string>(contentType: MarkdownMediaType)
            .WithSummary("One draft as JSON, or as Markdown with 'Accept: text/markdown'.");
        group.MapGet("/{id:guid}/download", DownloadAsync)
            .Produces<string>(contentType: MarkdownMediaType)
            .WithSummary("The draft as a Markdown file with front matter (title, author, date, status, sources), to keep in a vault.");
        return app;
    }

    private static async Task<Ok<DraftSummary[]>> ListAsync(ClaimsPrincipal user, HatchDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var skip = (Math.Max(1, page ?? 1) - 1) * size;
        return TypedResults.Ok(await db.DraftsOf(user.UserId()).AsNoTracking()
            .OrderByDescending(d => d.CreatedAt).Skip(skip).Take(size)
            .Select(d => new DraftSummary(d.Id, d.RequestId, d.Title, d.Status, d.CreatedAt))
            .ToArrayAsync(ct));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, ClaimsPrincipal user, HatchDbContext db, ReviewService review, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, user.UserId(), ct);
        var draft = await review.FindAsync(id, actor, ct);
        if (draft is null) return TypedResults.Problem(statusCode: 404, title: "Draft not found", detail: ReviewOutcome.NotFound.Message);
        var sources = draft.Highlights.OrderBy(h => h.Number).Select(h => h.Highlight?.SourceTitle).OfType<string>();
        var file = Hatch.Writing.Rendering.DraftMarkdownFile.Render(
            draft.Title, draft.AuthorName, draft.PublishedAt ?? draft.UpdatedAt, draft.Status.ToString(), sources, draft.Markdown);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(file), MarkdownMediaType + "; charset=utf-8",
            Hatch.Writing.Rendering.DraftMarkdownFile.FileNameOf(draft.Title));
    }

    /// <summary>The author's own draft, or one an editor may review (once submitted).</summary>
    private static async Task<Results<Ok<DraftDto>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        Guid id, HttpRequest request, ClaimsPrincipal user, HatchDbContext db, ReviewService review, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, user.UserId(), ct);
        var draft = await review.FindAsync(id, actor, ct);
        if (draft is null) return TypedResults.Problem(statusCode: 404, title: "Draft not found", detail: ReviewOutcome.NotFound.Message);
        if (WantsMarkdown(request))
            return TypedResults.Text(draft.Markdown, MarkdownMediaType + "; charset=utf-8");
        return TypedResults.Ok(DraftDto.From(draft, actor, request));
    }

    private static bool WantsMarkdown(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MarkdownMediaType, StringComparison.OrdinalIgnoreCase));
}
