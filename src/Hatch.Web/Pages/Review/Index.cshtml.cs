using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Features.Review;
using Hatch.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Hatch.Web.Pages.Review;

/// <summary>The review queue: submitted drafts, oldest first, for editors and admins.</summary>
public sealed class IndexModel(HatchDbContext db) : UserPageModel
{
    [BindProperty(SupportsGet = true)] public string? Author { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Style { get; set; }

    public IReadOnlyList<ReviewQueueItem> Items { get; private set; } = [];
    public static IReadOnlyList<string> Styles => ArticleOptions.Styles.ToArray();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        if (!actor.IsReviewer) return Forbid();
        Items = await ReviewQueue.LoadAsync(db, new ReviewQueueQuery(Author, From, To, Style, 1, 200), ct);
        return Page();
    }
}
