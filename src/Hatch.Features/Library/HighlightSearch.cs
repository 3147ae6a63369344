using Hatch.Data;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;

namespace Hatch.Features.Library;

public enum SearchMode { Keyword, Semantic, Hybrid }

/// <summary>
/// Search over one user's highlights: keyword (the database's full-text engine), semantic (cosine to the query's
/// embedding over stored vectors) or both fused by reciprocal rank. Highlights not yet embedded are found by keyword only.
/// </summary>
public sealed class HighlightSearch(HatchDbContext db, EmbeddingStore store, PgVectorIndex pgVector)
{
    public const int MaxResults = 200;

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string userId, string query, SearchMode mode, int limit = 50, CancellationToken cancellationToken = default)
    {
        limit = Math.Clamp(limit, 1, MaxResults);
        if (string.IsNullOrWhiteSpace(query)) return [];
        // The query's embedding (the in-process model, or a remote call) is made on another thread while the database
        // runs the keyword query: a hybrid search then takes the longer of the two, not their sum. Task.Run because the
        // in-process model and SQLite both run synchronously inside their async calls.
        var embedding = mode == SearchMode.Keyword
            ? null
            : Task.Run(() => store.Generator.EmbedAsync([query.Trim()], cancellationToken), cancellationToken);
        var keyword = mode == SearchMode.Semantic ? [] : await db.SearchAsync(userId, query, limit, cancellationToken);
        if (embedding is null)
            return keyword.Select((id, i) => new SearchHit(id, 1.0 / (SemanticSearch.RrfK + i + 1), null, i + 1, 0f)).ToArray();

        var vector = (await embedding)[0];
        if (await pgVector.UsableAsync(db, cancellationToken))
        {
            var nearest = await pgVector.NearestAsync(db, userId, store.ModelId, vector, limit, SemanticSearch.DefaultMinCosine, cancellationToken);
            // Keyword hits beyond the semantic ones get their cosine from the database too: this path never loads the
            // library into the process.
            var cosines = nearest.ToDictionary(n => n.Id, n => n.Score);
            foreach (var (id, cosine) in await db.PgVectorCosinesAsync(store.ModelId, vector, keyword.Except(cosines.Keys).ToArray(), cancellationToken))
                cosines[id] = cosine;
            return SemanticSearch.Fuse(nearest, keyword, id => cosines.GetValueOrDefault(id), limit);
        }
        var block = await store.IndexAsync(userId, cancellationToken);
        var semantic = block.Nearest(vector, limit, SemanticSearch.DefaultMinCosine)
            .Select(n => (block.IdAt(n.Row), n.Score)).ToArray();
        return SemanticSearch.Fuse(semantic, keyword,
            id => block.TryGetRow(id, out var row) ? VectorMath.Cosine(vector, block.Row(row)) : 0f, limit);
    }
}
