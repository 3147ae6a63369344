using Hatch.Data;
using Hatch.Domain.Drafts;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Pages.Drafts;

public sealed class IndexModel(HatchDbContext db) : UserPageModel
{
    public sealed record Row(Guid Id, string Title, DraftStatus Status, DateTimeOffset CreatedAt);

    public IReadOnlyList<Row> Drafts { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Drafts = await db.DraftsOf(UserId).AsNoTracking().OrderByDescending(d => d.CreatedAt).Take(200)
            .Select(d => new Row(d.Id, d.Title, d.Status, d.CreatedAt)).ToListAsync(ct);
}
