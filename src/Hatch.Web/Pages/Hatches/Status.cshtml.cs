using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Pages.Hatches;

public sealed class StatusModel(HatchDbContext db, HatchScheduler scheduler) : UserPageModel
{
    public HatchRequest Hatch { get; private set; } = null!;

    /// <summary>The steps shown to the person, in order.</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Steps =
    [
        ("Queued", "Queued"), ("Selecting", "Selecting highlights"), ("Writing", "Writing"), ("Saving", "Saving"), ("Succeeded", "Done"),
    ];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var request = await db.RequestsOf(UserId).AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null) return NotFound();
        Hatch = request;
        return Page();
    }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Hatch)]
    public async Task<IActionResult> OnPostRetryAsync(Guid id, CancellationToken ct) =>
        await scheduler.RetryAsync(UserId, id, ct) == RetryOutcome.NotFound ? NotFound() : RedirectToPage(new { id });

    /// <summary>The index in <see cref="Steps"/> the request has reached.</summary>
    public int CurrentStep => Hatch.Status switch
    {
        RequestStatus.Queued => 0,
        RequestStatus.Succeeded => Steps.Count - 1,
        _ => Hatch.Stage switch
        {
            HatchStage.Selecting => 1,
            HatchStage.Writing => 2,
            HatchStage.Saving => 3,
            _ => 1,
        },
    };
}
