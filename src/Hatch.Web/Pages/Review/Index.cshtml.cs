using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Features.Email;
using Hatch.Features.Review;
using Hatch.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Pages.Review;

/// <summary>The review queue: submitted drafts, oldest first, for editors and admins.</summary>
public sealed class IndexModel(HatchDbContext db, IOptions<EmailOptions> email) : UserPageModel
{
    [BindProperty(SupportsGet = true)] public string? Author { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Style { get; set; }

    public IReadOnlyList<ReviewQueueItem> Items { get; private set; } = [];
    public bool EmailOnSubmission { get; private set; }
    public bool EmailConfigured => email.Value.IsConfigured;
    public string? Saved { get; private set; }
    public static IReadOnlyList<string> Styles => ArticleOptions.Styles.ToArray();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        if (!actor.IsReviewer) return Forbid();
        Items = await ReviewQueue.LoadAsync(db, new ReviewQueueQuery(Author, From, To, Style, 1, 200), ct);
        EmailOnSubmission = await ReviewNotifications.GetAsync(db, UserId, ct);
        return Page();
    }

    /// <summary>The "email me when a draft is submitted" checkbox.</summary>
    public async Task<IActionResult> OnPostNotificationsAsync(bool emailOnSubmission, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        if (!actor.IsReviewer) return Forbid();
        await ReviewNotifications.SetAsync(db, UserId, emailOnSubmission, ct);
        Saved = emailOnSubmission ? "You will be emailed when a draft is submitted." : "Submission emails are off.";
        return await OnGetAsync(ct);
    }
}
