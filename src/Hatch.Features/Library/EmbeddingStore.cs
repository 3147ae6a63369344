using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Library;

/// <summary>
/// Stored embeddings of a user's highlights under the configured model: computing the missing ones in batches and
/// reading them back for themes, related highlights, search and hatching. A vector made by another model counts as
/// missing, so changing <c>Hatch:Embeddings</c> is followed by a recompute rather than by mixed vectors.
/// </summary>
public sealed partial class EmbeddingStore(
    HatchDbContext db,
    IEmbeddingGenerator<string, Embedding<float>> generator,
    IOptions<EmbeddingOptions> options,
    IdeasInBackground ideas,
    VectorIndexCache index,
    TimeProvider time,
    ILogger<EmbeddingStore> logger)
{
    public string ModelId { get; } = generator.ModelIdOf();

    /// <summary>True when vectors carry only shared words (Provider None): useful for related and search, not for grouping.</summary>
    public bool IsLexical => LexicalEmbeddingGenerator.IsLexical(generator);

    public IEmbeddingGenerator<string, Embedding<float>> Generator => generator;

    /// <summary>The user's current-model vectors from this process's shared in-memory index, fresh as of this call.</summary>
    public Task<VectorBlock> IndexAsync(string userId, CancellationToken cancellationToken = default) =>
        index.GetAsync(db, userId, ModelId, cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> ids of the user's highlights (only those in <paramref name="among"/> when given)
    /// nearest the centre of their vectors, most central first: the passages a large selection is most about.
    /// Highlights without a vector yet are not ranked.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> MostCentralAsync(string userId, IReadOnlySet<Guid>? among, int limit, CancellationToken cancellationToken = default)
    {
        var block = await IndexAsync(userId, cancellationToken);
        var centre = new float[block.Dimensions];
        var members = 0;
        for (var row = 0; row < block.Count; row++)
        {
            if (among is not null && !among.Contains(block.IdAt(row))) continue;
            System.Numerics.Tensors.TensorPrimitives.Add(centre, block.Row(row), centre);
            members++;
        }
        if (members == 0) return [];
        VectorMath.Normalize(centre);
        return block.Nearest(centre, limit, include: among is null ? null : row => among.Contains(block.IdAt(row)))
            .Select(n => block.IdAt(n.Row)).ToArray();
    }

    private IQueryable<StoredHighlight> Missing(string userId) =>
        db.HighlightsOf(userId).Where(h => !db.HighlightEmbeddings.Any(e => e.HighlightId == h.Id && e.ModelId == ModelId));

    public Task<int> LibraryCountAsync(string userId, CancellationToken cancellationToken = default) =>
        db.HighlightsOf(userId).CountAsync(cancellationToken);

    public Task<int> CountMissingAsync(string userId, CancellationToken cancellationToken = default) =>
        Missing(userId).CountAsync(cancellationToken);

    /// <summary>
    /// Embeds the user's highlights (or only <paramref name="highlightIds"/>) that lack a vector from the current
    /// model, <see cref="EmbeddingOptions.BatchSize"/> at a time, each batch saved on its own so an interrupted run
    /// keeps what it did. Reentrant: a batch another run stored first is skipped.
    /// </summary>
    /// <returns>How many vectors this call stored.</returns>
    public async Task<int> EnsureAsync(string userId, IReadOnlyCollection<Guid>? highlightIds = null, CancellationToken cancellationToken = default)
    {
        var stored = 0;
        var batchSize = Math.Max(1, options.Value.BatchSize);
        var ids = highlightIds?.Distinct().ToArray();
        var conflicts = 0;
        while (true)
        {
            var query = Missing(userId).AsNoTracking();
            if (ids is not null) query = query.Where(h => ids.Contains(h.Id));
            var batch = await query.OrderBy(h => h.Id).Take(batchSize)
                .Select(h => new { h.Id, h.Text }).ToListAsync(cancellationToken);
            if (batch.Count == 0) return stored;

            var vectors = await generator.EmbedAsync(batch.Select(b => b.Text).ToArray(), cancellationToken);
            var saved = await SaveAsync(batch.Select((b, i) => (b.Id, vectors[i])).ToArray(), cancellationToken);
            // Vectors another run stored first are skipped, and the next query no longer sees them. A highlight deleted
            // meanwhile fails its batch; if that keeps happening the run ends, and the next import or hatch resumes.
            if (saved < 0 && ++conflicts >= 3) return stored;
            stored += Math.Max(0, saved);
        }
    }

    /// <summary>
    /// Stores vectors just computed (by the import's near-duplicate check or the embedding job); returns how many were
    /// new, or -1 when a highlight was deleted meanwhile. Vectors another run stored first are skipped, not an error:
    /// the import and the job racing for the same highlights is expected.
    /// </summary>
    public async Task<int> SaveAsync(IReadOnlyList<(Guid HighlightId, float[] Vector)> vectors, CancellationToken cancellationToken = default)
    {
        if (vectors.Count == 0) return 0;
        var now = time.GetUtcNow();
        var ids = vectors.Select(v => v.HighlightId).ToArray();
        // Vectors of an older model are of no further use once this one exists.
        await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId) && e.ModelId != ModelId).ExecuteDeleteAsync(cancellationToken);
        var rows = vectors.Select(v => HighlightEmbedding.Create(v.HighlightId, ModelId, v.Vector, now)).ToArray();
        try
        {
            var inserted = await db.InsertMissingAsync(rows, cancellationToken);
            if (inserted < rows.Length) LogRace(rows.Length - inserted, rows.Length);
            return inserted;
        }
        catch (Exception ex) when (EmbeddingRows.IsMissingHighlight(ex))
        {
            LogDeleted(rows.Length);
            return -1;
        }
    }

    /// <summary>Every highlight of the user that has a vector from the current model, ready for the semantic services.</summary>
    public async Task<IReadOnlyList<EmbeddedHighlight>> LibraryAsync(string userId, CancellationToken cancellationToken = default)
    {
        var rows = await db.HighlightsOf(userId).AsNoTracking()
            .Join(db.HighlightEmbeddings.Where(e => e.ModelId == ModelId), h => h.Id, e => e.HighlightId,
                (h, e) => new { h.Id, h.Text, h.SourceTitle, e.Vector })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new EmbeddedHighlight(r.Id, ToVector(r.Vector), r.Text, r.SourceTitle)).ToArray();
    }

    /// <summary>Current-model vectors of some of the user's highlights, by highlight id (absent when not yet computed).</summary>
    public async Task<IReadOnlyDictionary<Guid, float[]>> VectorsAsync(string userId, IReadOnlyCollection<Guid> highlightIds, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<Guid, float[]>();
        foreach (var chunk in highlightIds.Distinct().Chunk(500))
        {
            var rows = await db.HighlightsOf(userId).AsNoTracking().Where(h => chunk.Contains(h.Id))
                .Join(db.HighlightEmbeddings.Where(e => e.ModelId == ModelId), h => h.Id, e => e.HighlightId, (h, e) => new { h.Id, e.Vector })
                .ToListAsync(cancellationToken);
            foreach (var r in rows) result[r.Id] = ToVector(r.Vector);
        }
        return result;
    }

    /// <summary>Ideas waiting to hatch: 3–5 themes of the embedded library, each spanning at least two sources.</summary>
    /// <remarks>
    /// Kept per user until the library changes (its <see cref="LibraryVersion"/>, one key read): the highlights page
    /// shows the suggestions on every visit. A library of <see cref="EmbeddingOptions.IdeasInBackgroundFrom"/>
    /// highlights or more is clustered in the background (<see cref="IdeasInBackground"/>): the answer is then the
    /// previous themes, if any, with <see cref="Ideas.Computing"/> set, and the page asks again later.
    /// </remarks>
    /// <param name="librarySize">How many highlights the user has, when the caller has counted them already.</param>
    public async Task<Ideas> IdeasAsync(string userId, int? librarySize = null, CancellationToken cancellationToken = default)
    {
        var (version, _) = await db.LibraryVersionAsync(userId, cancellationToken);
        if (ideas.TryGet(userId, ModelId, version, out var known)) return new Ideas(known, Computing: false);
        var size = librarySize ?? await LibraryCountAsync(userId, cancellationToken);
        if (size >= options.Value.IdeasInBackgroundFrom)
        {
            ideas.Start(userId, ModelId, version);
            return new Ideas(ideas.Latest(userId, ModelId), Computing: true);
        }
        var (computedAt, themes) = await ComputeThemesAsync(userId, cancellationToken);
        ideas.Store(userId, ModelId, computedAt, themes);
        return new Ideas(themes, Computing: false);
    }

    /// <summary>Ideas are drawn from at most this many of the newest embedded highlights; clustering grows faster than linearly.</summary>
    public const int ThemesMaxHighlights = 3000;

    /// <summary>
    /// Clusters the library as it is now, with the version it was read at. A library larger than
    /// <see cref="ThemesMaxHighlights"/> is represented by its newest embedded highlights (what the reader has on
    /// their mind), so a run never clusters 100,000 passages.
    /// </summary>
    public async Task<(long Version, IReadOnlyList<ThemeSuggestion> Themes)> ComputeThemesAsync(string userId, CancellationToken cancellationToken = default)
    {
        // Read before the vectors: the themes then describe at least this version.
        var (version, _) = await db.LibraryVersionAsync(userId, cancellationToken);
        var block = await IndexAsync(userId, cancellationToken);
        var newest = new List<EmbeddedHighlight>(Math.Min(block.Count, ThemesMaxHighlights));
        if (block.Count > 0)
        {
            await foreach (var h in db.HighlightsOf(userId).AsNoTracking().OrderByDescending(h => h.ImportedAt).ThenBy(h => h.Id)
                               .Select(h => new { h.Id, h.Text, h.SourceTitle }).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (!block.TryGetRow(h.Id, out var row)) continue;
                newest.Add(new EmbeddedHighlight(h.Id, block.VectorOf(row), h.Text, h.SourceTitle));
                if (newest.Count == ThemesMaxHighlights || newest.Count == block.Count) break;
            }
        }
        return (version, SemanticThemes.Suggest(newest));
    }

    /// <summary>
    /// The user's highlights nearest in meaning to one of theirs (never itself, never another user's), or null when
    /// <paramref name="highlightId"/> is not one of the user's. A highlight the job has not reached yet is embedded now.
    /// </summary>
    public async Task<IReadOnlyList<RelatedHighlight>?> RelatedAsync(string userId, Guid highlightId, int count = 5, CancellationToken cancellationToken = default)
    {
        // The block holds only this user's highlights, current as of this call: a row in it answers "is it theirs"
        // without another round trip to the database.
        var block = await IndexAsync(userId, cancellationToken);
        if (!block.TryGetRow(highlightId, out var self))
        {
            if (!await db.HighlightsOf(userId).AnyAsync(h => h.Id == highlightId, cancellationToken)) return null;
            await EnsureAsync(userId, [highlightId], cancellationToken);
            block = await IndexAsync(userId, cancellationToken);
            if (!block.TryGetRow(highlightId, out self)) return [];
        }
        return await RelatedAsync(userId, block, block.VectorOf(self), [self], count, cancellationToken);
    }

    /// <summary>Beside each group (a draft section's highlights): related highlights of the same user's library.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<RelatedHighlight>>> RelatedToGroupsAsync(
        string userId, IReadOnlyList<IReadOnlyList<Guid>> groups, int count = 3, CancellationToken cancellationToken = default)
    {
        var block = await IndexAsync(userId, cancellationToken);
        var result = new List<IReadOnlyList<RelatedHighlight>>(groups.Count);
        foreach (var group in groups)
        {
            var rows = group.Select(id => block.TryGetRow(id, out var row) ? row : -1).Where(row => row >= 0).Distinct().ToArray();
            if (rows.Length == 0) { result.Add([]); continue; }
            var centre = VectorMath.Centroid(rows.Select(block.VectorOf).ToArray(), Enumerable.Range(0, rows.Length), block.Dimensions);
            result.Add(await RelatedAsync(userId, block, centre, rows, count, cancellationToken));
        }
        return result;
    }

    /// <summary>
    /// Nearest to <paramref name="query"/> over the in-memory block, leaving out <paramref name="rows"/> (what the
    /// query came from); only the few candidates' texts are read, for <see cref="RelatedHighlights.Pick"/>'s
    /// same-passage rules.
    /// </summary>
    private async Task<IReadOnlyList<RelatedHighlight>> RelatedAsync(
        string userId, VectorBlock block, float[] query, int[] rows, int count, CancellationToken cancellationToken)
    {
        var excluded = rows.ToHashSet();
        var nearest = block.Nearest(query, RelatedHighlights.OverFetch(count, rows.Length),
            IsLexical ? 0.1f : RelatedHighlights.DefaultMinScore, row => !excluded.Contains(row));
        var ids = rows.Concat(nearest.Select(n => n.Row)).Select(block.IdAt).ToArray();
        var texts = await db.HighlightsOf(userId).AsNoTracking().Where(h => ids.Contains(h.Id))
            .Select(h => new { h.Id, h.Text }).ToDictionaryAsync(h => h.Id, h => h.Text, cancellationToken);
        var candidates = nearest.Where(n => texts.ContainsKey(block.IdAt(n.Row)))
            .Select(n => (new EmbeddedHighlight(block.IdAt(n.Row), block.VectorOf(n.Row), texts[block.IdAt(n.Row)], ""), n.Score));
        var excludeTexts = rows.Select(r => texts.GetValueOrDefault(block.IdAt(r))).OfType<string>().ToArray();
        return RelatedHighlights.Pick(candidates, rows.Length, excludeTexts, count);
    }

    private static float[] ToVector(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    [LoggerMessage(LogLevel.Debug, "{Skipped} of {Count} embeddings were stored by another run first; skipped")]
    private partial void LogRace(int skipped, int count);

    [LoggerMessage(LogLevel.Information, "A batch of {Count} embeddings was not stored: a highlight in it was deleted meanwhile")]
    private partial void LogDeleted(int count);
}
