using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Pages.Highlights;

/// <summary>One highlight with the highlights of the same library nearest to it in meaning.</summary>
public sealed class ViewModel(HatchDbContext db, EmbeddingStore embeddings) : UserPageModel
{
    public StoredHighlight Highlight { get; private set; } = null!;
    public IReadOnlyList<RelatedDto> Related { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var highlight = await db.HighlightsOf(UserId).AsNoTracking().FirstOrDefaultAsync(h => h.Id == id, ct);
        if (highlight is null) return NotFound();
        Highlight = highlight;
        Related = await SemanticApi.DescribeAsync(db, UserId, await embeddings.RelatedAsync(UserId, id, 8, ct) ?? [], ct);
        return Page();
    }
}
