using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hatch.Data;

// EF1002/EF1003 warn of values written into SQL text. Here only integers are (a vector size, a row count, ef_search),
// because pgvector's vector(n) and SET take no parameters; every other value is a parameter.
#pragma warning disable EF1002, EF1003

/// <summary>
/// pgvector for semantic search (<c>Hatch:Embeddings:Index=PgVector</c>): beside the vectors EF Core stores as bytes,
/// an <c>"Embedding"</c> vector column filled from them and an HNSW index per vector size over cosine distance.
/// Raw SQL run when the option is first used, not a migration, like the full-text indexes in
/// <see cref="FullTextSearch"/>: the column can exist only on servers that have the extension, and EF Core's model
/// must be the same on every server. Vectors are sent as <c>real[]</c> and cast by pgvector, so no client plugin is needed.
/// </summary>
public static class PgVectorSearch
{
    /// <summary>Whether this is PostgreSQL and its server offers the <c>vector</c> extension (installed or installable).</summary>
    public static async Task<bool> PgVectorAvailableAsync(this HatchDbContext db, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql() && await db.Database
            .SqlQuery<bool>($"""SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS "Value" """)
            .SingleAsync(cancellationToken);

    /// <summary>
    /// Installs the extension and the vector column (idempotent: every process does it on first use) and returns the
    /// extension's version. The partial index finds the rows whose column is still empty, which is normally none.
    /// </summary>
    public static async Task<Version> PreparePgVectorAsync(this HatchDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync("""
            CREATE EXTENSION IF NOT EXISTS vector;
            ALTER TABLE highlight_embeddings ADD COLUMN IF NOT EXISTS "Embedding" vector;
            CREATE INDEX IF NOT EXISTS "IX_highlight_embeddings_without_vector" ON highlight_embeddings ("HighlightId") WHERE "Embedding" IS NULL;
            """, cancellationToken);
        var version = await db.Database.SqlQuery<string>($"""SELECT extversion AS "Value" FROM pg_extension WHERE extname = 'vector'""")
            .SingleAsync(cancellationToken);
        return Version.TryParse(version, out var parsed) ? parsed : new Version(0, 0);
    }

    /// <summary>
    /// The HNSW index over vectors of one size, built without blocking writes (minutes on a large table; until it is
    /// valid the same queries are exact scans).
    /// </summary>
    public static Task CreateHnswIndexAsync(this HatchDbContext db, int dimensions, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync($"""
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "IX_highlight_embeddings_hnsw_{dimensions}" ON highlight_embeddings
            USING hnsw (("Embedding"::vector({dimensions})) vector_cosine_ops) WHERE "Dimensions" = {dimensions}
            """, cancellationToken);

    /// <summary>
    /// Copies up to <paramref name="batch"/> of the user's stored vectors whose vector column is still empty into it
    /// (whoever stored them: the embedding job, an import, sync, the CLI); returns how many.
    /// </summary>
    public static async Task<int> FillPgVectorsAsync(this HatchDbContext db, string userId, int batch, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<UnfilledRow>($"""
            SELECT e."HighlightId", e."ModelId", e."Vector" FROM highlight_embeddings AS e
            JOIN highlights AS h ON h."Id" = e."HighlightId"
            WHERE h."UserId" = {userId} AND e."Embedding" IS NULL
            LIMIT {batch}
            """).ToListAsync(cancellationToken);
        if (rows.Count == 0) return 0;
        var texts = rows.Select(r => VectorText(MemoryMarshal.Cast<byte, float>(r.Vector))).ToArray();
        var ids = rows.Select(r => r.HighlightId).ToArray();
        var models = rows.Select(r => r.ModelId).ToArray();
        return await db.Database.ExecuteSqlAsync($"""
            UPDATE highlight_embeddings AS e SET "Embedding" = CAST(v.embedding AS vector)
            FROM unnest({ids}, {models}, {texts}) AS v(id, model, embedding)
            WHERE e."HighlightId" = v.id AND e."ModelId" = v.model
            """, cancellationToken);
    }

    /// <summary>
    /// The user's <paramref name="k"/> highlights nearest the query under one model, best first, with their cosine:
    /// through the HNSW index when it is valid (approximate: pgvector's recall at these settings is near 1), an
    /// exact scan otherwise. <paramref name="iterativeScan"/> (pgvector 0.8 and later) keeps the index scan going
    /// until k rows of this user are found, instead of filtering the first ef_search rows of every user.
    /// </summary>
    public static async Task<IReadOnlyList<(Guid Id, float Score)>> PgVectorNearestAsync(
        this HatchDbContext db, string userId, string modelId, float[] query, int k, bool iterativeScan, CancellationToken cancellationToken)
    {
        var dimensions = query.Length;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // SET LOCAL: the settings end with this transaction and never leak into a pooled connection's next user.
        await db.Database.ExecuteSqlRawAsync(
            $"SET LOCAL hnsw.ef_search = {Math.Clamp(k * 2, 40, 1000)}" + (iterativeScan ? "; SET LOCAL hnsw.iterative_scan = strict_order" : ""),
            cancellationToken);
        var rows = await db.Database.SqlQueryRaw<ScoredRow>($"""
            SELECT e."HighlightId" AS "Id", 1 - (e."Embedding"::vector({dimensions}) <=> CAST(@query AS vector({dimensions}))) AS "Score"
            FROM highlight_embeddings AS e
            JOIN highlights AS h ON h."Id" = e."HighlightId"
            WHERE h."UserId" = @userId AND e."ModelId" = @modelId AND e."Dimensions" = {dimensions} AND e."Embedding" IS NOT NULL
            ORDER BY e."Embedding"::vector({dimensions}) <=> CAST(@query AS vector({dimensions}))
            LIMIT {k}
            """,
            new NpgsqlParameter("query", query), new NpgsqlParameter("userId", userId), new NpgsqlParameter("modelId", modelId))
            .ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows.Select(r => (r.Id, (float)r.Score)).ToArray();
    }

    /// <summary>The cosine of the query to each of these highlights that has a vector under the model (for hits found by keyword).</summary>
    public static async Task<IReadOnlyDictionary<Guid, float>> PgVectorCosinesAsync(
        this HatchDbContext db, string modelId, float[] query, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return new Dictionary<Guid, float>();
        var rows = await db.Database.SqlQueryRaw<ScoredRow>($"""
            SELECT e."HighlightId" AS "Id", 1 - (e."Embedding" <=> CAST(@query AS vector)) AS "Score"
            FROM highlight_embeddings AS e
            WHERE e."HighlightId" = ANY(@ids) AND e."ModelId" = @modelId AND e."Dimensions" = {query.Length} AND e."Embedding" IS NOT NULL
            """,
            new NpgsqlParameter("query", query), new NpgsqlParameter("ids", ids.ToArray()), new NpgsqlParameter("modelId", modelId))
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => (float)r.Score);
    }

    /// <summary>pgvector's text form, "[0.1,-0.2,…]", with every float written so that it reads back the same.</summary>
    private static string VectorText(ReadOnlySpan<float> vector)
    {
        var text = new StringBuilder(vector.Length * 12).Append('[');
        for (var i = 0; i < vector.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(vector[i].ToString("R", CultureInfo.InvariantCulture));
        }
        return text.Append(']').ToString();
    }

    private sealed record UnfilledRow(Guid HighlightId, string ModelId, byte[] Vector);

    private sealed record ScoredRow(Guid Id, double Score);
}
