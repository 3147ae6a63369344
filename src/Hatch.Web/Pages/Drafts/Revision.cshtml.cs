using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Features.Review;
using Hatch.Web.Api;
using Hatch.Web.Review;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Pages.Drafts;

/// <summary>One revision: what changed from the previous one (inline diff of the Markdown) and a Restore button.</summary>
public sealed class RevisionModel(HatchDbContext db, ReviewService review) : UserPageModel
{
    public Draft Draft { get; private set; } = null!;
    public DraftRevision Revision { get; private set; } = null!;
    public string Author { get; private set; } = "";
    public IReadOnlyList<DiffLine?> Diff { get; private set; } = [];
    public bool HasPrevious { get; private set; }
    public bool CanRestore { get; private set; }
    public DraftProvenance? Provenance { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, int number, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        var draft = await review.FindAsync(id, actor, ct);
        if (draft is null) return NotFound();
        var pair = await db.DraftRevisions.AsNoTracking().Where(r => r.DraftId == id && (r.Number == number || r.Number == number - 1)).ToListAsync(ct);
        var revision = pair.FirstOrDefault(r => r.Number == number);
        if (revision is null) return NotFound();
        var previous = pair.FirstOrDefault(r => r.Number == number - 1);
        Draft = draft;
        Revision = revision;
        HasPrevious = previous is not null;
        Diff = RevisionDiff.Hunks(RevisionDiff.Inline(previous?.Markdown, revision.Markdown), context: 3);
        Author = (await UserNames.OfAsync(db, [revision.UserId], ct))[revision.UserId];
        CanRestore = number != draft.Revision && draft.Allows(DraftAction.Edit, actor);
        Provenance = revision.ProvenanceJson is null || revision.Kind != RevisionKind.Revised ? null
            : JsonSerializer.Deserialize<DraftProvenance>(revision.ProvenanceJson, HatchJson.Options);
        ViewData["Title"] = $"Revision {number}: {revision.Title}";
        return Page();
    }

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, int number, int expectedRevision, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        var outcome = await review.RestoreAsync(id, actor, number, expectedRevision, ct);
        if (outcome.Kind == ReviewOutcomeKind.NotFound) return NotFound();
        if (outcome.Succeeded) TempData["Message"] = $"Revision {number} restored as revision {outcome.Draft!.Revision}.";
        else TempData["Error"] = outcome.Message;
        return Redirect($"/Drafts/{id}");
    }
}
