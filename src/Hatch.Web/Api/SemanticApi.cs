using System.Security.Claims;
using Hatch.Data;
using Hatch.Features.Library;
using Hatch.Writing.Themes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Api;

public sealed record ThemeDto(string Label, IReadOnlyList<string> KeyPhrases, IReadOnlyList<string> Sources, int Size, IReadOnlyList<Guid> HighlightIds);

/// <param name="Embedded">Highlights with a vector from <paramref name="Model"/>; the rest are still being embedded and not in any theme yet.</param>
/// <param name="Computing">True while a large library's themes are being worked out in the background: <paramref name="Themes"/> are then the previous ones (or none); ask again shortly.</param>
public sealed record ThemesResponse(IReadOnlyList<ThemeDto> Themes, int Embedded, int Pending, string Model, bool Computing);

public sealed record RelatedDto(Guid Id, string Text, string Source, double Score);

/// <summary>Hatching by meaning: ideas waiting to hatch (/api/themes) and related highlights.</summary>
public static class SemanticApi
{
    public static IEndpointRouteBuilder MapSemanticApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api")
            .WithTags("Themes")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();
        group.MapGet("/themes", ThemesAsync)
            .WithSummary("3–5 themes from the library, each spanning at least two sources; POST a theme's highlightIds to /api/hatches to hatch it. "
                + "For a large library they are worked out in the background: 'computing' is true until they are ready.");
        group.MapGet("/highlights/{id:guid}/related", RelatedAsync)
            .WithSummary("Highlights of the same library nearest in meaning to this one.");
        group.MapGet("/highlights/probable-duplicates", ProbableDuplicatesAsync)
            .WithSummary("New highlights that nearly repeat one imported before (kept, reported): found at import or by the embedding job afterwards.");
        return app;
    }

    private static async Task<Ok<ThemesResponse>> ThemesAsync(ClaimsPrincipal user, EmbeddingStore store, CancellationToken ct)
    {
        var userId = user.UserId();
        var total = await store.LibraryCountAsync(userId, ct);
        var ideas = await store.IdeasAsync(userId, total, ct);
        var pending = await store.CountMissingAsync(userId, ct);
        return TypedResults.Ok(new ThemesResponse(
            ideas.Themes.Select(t => new ThemeDto(t.Label, t.KeyPhrases, t.Sources, t.Size, t.HighlightIds)).ToArray(),
            total - pending, pending, store.ModelId, ideas.Computing));
    }

    private static async Task<Ok<IReadOnlyList<ProbableDuplicate>>> ProbableDuplicatesAsync(ClaimsPrincipal user, NearDuplicateChecker duplicates, CancellationToken ct) =>
        TypedResults.Ok(await duplicates.ReportedAsync(user.UserId(), cancellationToken: ct));

    private static async Task<Results<Ok<IReadOnlyList<RelatedDto>>, NotFound>> RelatedAsync(
        Guid id, int? count, ClaimsPrincipal user, EmbeddingStore store, HatchDbContext db, CancellationToken ct)
    {
        var userId = user.UserId();
        var related = await store.RelatedAsync(userId, id, Math.Clamp(count ?? 5, 1, 20), ct);
        if (related is null) return TypedResults.NotFound();
        return TypedResults.Ok(await DescribeAsync(db, userId, related, ct));
    }

    internal static async Task<IReadOnlyList<RelatedDto>> DescribeAsync(HatchDbContext db, string userId, IReadOnlyList<RelatedHighlight> related, CancellationToken ct)
    {
        var ids = related.Select(r => r.Id).ToArray();
        var rows = await db.HighlightsOf(userId).AsNoTracking().Where(h => ids.Contains(h.Id))
            .Select(h => new { h.Id, h.Text, h.SourceTitle }).ToDictionaryAsync(h => h.Id, ct);
        return related.Where(r => rows.ContainsKey(r.Id))
            .Select(r => new RelatedDto(r.Id, rows[r.Id].Text, rows[r.Id].SourceTitle, Math.Round(r.Score, 4)))
            .ToArray();
    }
}
