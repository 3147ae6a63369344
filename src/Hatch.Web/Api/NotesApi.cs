using System.Security.Claims;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

/// <summary>A note kept on its book because it annotates no highlight (a Kindle note alone, a Hypothesis page note).</summary>
public sealed record SourceNoteDto(
    Guid Id, string Text, string Source, string? Author, string? Url, string? Location,
    DateTimeOffset? WrittenAt, bool WrittenAtIsLocal, DateTimeOffset ImportedAt)
{
    public static SourceNoteDto From(StoredSourceNote n) => new(
        n.Id, n.Text, n.SourceTitle, n.SourceAuthor, Hatch.Writing.Rendering.DraftRenderer.SafeUrl(n.SourceUrl),
        n.ToSourceNote().Location?.ToString(), n.WrittenAt, n.WrittenAtIsLocal, n.ImportedAt);
}

public sealed record SourceNotePage(IReadOnlyList<SourceNoteDto> Items, int Total, int Page, int PageSize);

/// <summary>/api/notes: the signed-in user's notes that annotate no highlight, kept on their books by imports.</summary>
public static class NotesApi
{
    public static IEndpointRouteBuilder MapNotesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notes")
            .WithTags("Notes")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();
        group.MapGet("/", ListAsync).WithSummary("Lists the notes kept on their books (written at no highlight), by source, with paging.");
        return app;
    }

    private static async Task<Ok<SourceNotePage>> ListAsync(
        string? source, int? page, int? pageSize, ClaimsPrincipal user, HatchDbContext db, CancellationToken ct)
    {
        var number = Math.Max(1, page ?? 1);
        var size = Math.Clamp(pageSize ?? 50, 1, HighlightsApi.MaxPageSize);
        var notes = db.SourceNotesOf(user.UserId()).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(source)) notes = notes.Where(n => n.SourceTitle == source);
        var total = await notes.CountAsync(ct);
        var items = await notes.OrderBy(n => n.SourceTitle).ThenBy(n => n.ImportedAt).ThenBy(n => n.Id)
            .Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new SourceNotePage(items.Select(SourceNoteDto.From).ToArray(), total, number, size));
    }
}
