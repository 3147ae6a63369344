using System.Security.Claims;
using Hatch.Core.Data;
using Hatch.Core.Domain;
using Hatch.Core.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

public sealed record DraftSummary(Guid Id, Guid RequestId, string Title, DraftStatus Status, DateTimeOffset CreatedAt);

public sealed record DraftSourceDto(int Number, Guid HighlightId, string Text, string Source, string? Author, string? Url, string? Location, bool Cited);

public sealed record DraftDto(
    Guid Id, Guid RequestId, DraftStatus Status, DateTimeOffset CreatedAt, string Title, string Language, string? AuthorName,
    Article Article, IReadOnlyList<DraftSourceDto> Highlights, DraftProvenance Provenance, string Markdown)
{
    public static DraftDto From(StoredDraft draft)
    {
        var article = draft.Article;
        var cited = article.AllCitations().ToHashSet();
        return new DraftDto(draft.Id, draft.RequestId, draft.Status, draft.CreatedAt, draft.Title, draft.Language, draft.AuthorName,
            article,
            draft.Highlights.OrderBy(h => h.Number).Select(h => new DraftSourceDto(
                h.Number, h.HighlightId, h.Highlight!.Text, h.Highlight.SourceTitle, h.Highlight.SourceAuthor,
                DraftRenderer.SafeUrl(h.Highlight.SourceUrl), h.Highlight.ToHighlight().Location?.ToString(), cited.Contains(h.Number))).ToArray(),
            draft.Provenance, draft.Markdown);
    }
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

    private static async Task<Results<Ok<DraftDto>, ContentHttpResult, NotFound>> GetAsync(
        Guid id, HttpRequest request, ClaimsPrincipal user, HatchDbContext db, CancellationToken ct)
    {
        var draft = await db.FindDraftAsync(user.UserId(), id, ct);
        if (draft is null) return TypedResults.NotFound();
        if (WantsMarkdown(request))
            return TypedResults.Text(draft.Markdown, MarkdownMediaType + "; charset=utf-8");
        return TypedResults.Ok(DraftDto.From(draft));
    }

    private static bool WantsMarkdown(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MarkdownMediaType, StringComparison.OrdinalIgnoreCase));
}
