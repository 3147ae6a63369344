using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.Features.Requests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Hatching;

/// <summary>
/// The highlights a hatch request starts from. A selection larger than <see cref="JobOptions.MaxHighlightsConsidered"/>
/// ("all my highlights" of a 100,000-highlight library, a huge tag) is narrowed first to that many of its most
/// central highlights (nearest the centre of the selection's stored vectors, from the in-memory index), so the
/// selector and the writer's token budget work on a bounded set and never load the library whole.
/// </summary>
public sealed class HatchSource(HatchDbContext db, EmbeddingStore embeddings, IOptions<JobOptions> options)
{
    public async Task<List<StoredHighlight>> LoadAsync(string userId, HatchSelection selection, CancellationToken cancellationToken)
    {
        var query = db.HighlightsOf(userId).AsNoTracking();
        if (selection.HighlightIds is { Count: > 0 } ids)
            query = query.Where(h => ids.Contains(h.Id));
        else if (selection.Source is { } source)
            query = query.Where(h => h.SourceTitle == source);
        else if (selection.Tag is { } tag)
        {
            var key = StoredHighlight.TagKey(tag);
            query = query.Where(h => h.Tags.Contains(key));
        }

        var limit = options.Value.MaxHighlightsConsidered;
        // A list of ids is already bounded by Hatch:Limits:MaxHatchSelection.
        if (selection.HighlightIds is not { Count: > 0 } && await query.CountAsync(cancellationToken) > limit)
        {
            IReadOnlySet<Guid>? among = selection.Source is null && selection.Tag is null
                ? null
                : (await query.Select(h => h.Id).ToListAsync(cancellationToken)).ToHashSet();
            var central = await embeddings.MostCentralAsync(userId, among, limit, cancellationToken);
            if (central.Count > 0)
            {
                var chosen = new List<StoredHighlight>(central.Count);
                foreach (var chunk in central.Chunk(500))
                    chosen.AddRange(await query.Where(h => chunk.Contains(h.Id)).ToListAsync(cancellationToken));
                return chosen.OrderBy(h => h.SourceTitle, StringComparer.Ordinal).ThenBy(h => h.Offset).ThenBy(h => h.Id).ToList();
            }
            // No vectors yet: the newest ones, which the reader remembers best.
            query = query.OrderByDescending(h => h.ImportedAt).ThenBy(h => h.Id).Take(limit);
        }
        return await query.OrderBy(h => h.SourceTitle).ThenBy(h => h.Offset).ThenBy(h => h.Id).ToListAsync(cancellationToken);
    }
}
