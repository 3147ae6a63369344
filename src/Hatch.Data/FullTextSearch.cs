using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Hatch.Data;

/// <summary>
/// Keyword search in the database's own full-text engine: PostgreSQL's tsvector (an expression GIN index over the
/// highlight's text and note) and SQLite's FTS5 (a side table kept in step by triggers). EF Core models neither, so
/// the schema is raw SQL here, applied by the <c>Embeddings</c> migrations through <see cref="ApplyPostgres"/> and
/// <see cref="ApplySqlite"/>, and on PostgreSQL moved to a stored column by the <c>ReadingOrderIndex</c> migration
/// (<see cref="ApplyPostgresStoredVector"/>): whoever regenerates the migrations calls these again.
/// </summary>
public static class FullTextSearch
{
    /// <summary>The expression the index is built on; queries must repeat it exactly for PostgreSQL to use the index.</summary>
    private const string PgDocument = """to_tsvector('english'::regconfig, "Text" || ' ' || coalesce("Note", ''))""";

    public static void ApplyPostgres(MigrationBuilder migration) => migration.Sql(
        $"""CREATE INDEX "IX_highlights_fts" ON highlights USING GIN ({PgDocument});""");

    public static void RevertPostgres(MigrationBuilder migration) => migration.Sql("""DROP INDEX IF EXISTS "IX_highlights_fts";""");

    /// <summary>
    /// Keeps each highlight's tsvector in a stored generated column and indexes that instead of the expression:
    /// ranking then reads the stored vector rather than parsing and stemming the text of every match again (a
    /// common word in a large library matches thousands of passages, and <c>ts_rank</c> needs each one's vector).
    /// </summary>
    public static void ApplyPostgresStoredVector(MigrationBuilder migration)
    {
        migration.Sql($"""ALTER TABLE highlights ADD COLUMN "{PgVectorColumn}" tsvector GENERATED ALWAYS AS ({PgDocument}) STORED;""");
        migration.Sql("""DROP INDEX IF EXISTS "IX_highlights_fts";""");
        migration.Sql($"""CREATE INDEX "IX_highlights_fts" ON highlights USING GIN ("{PgVectorColumn}");""");
    }

    public static void RevertPostgresStoredVector(MigrationBuilder migration)
    {
        migration.Sql("""DROP INDEX IF EXISTS "IX_highlights_fts";""");
        migration.Sql($"""ALTER TABLE highlights DROP COLUMN IF EXISTS "{PgVectorColumn}";""");
        ApplyPostgres(migration);
    }

    /// <summary>The stored tsvector (PostgreSQL only; EF Core does not map it, the database fills it).</summary>
    private const string PgVectorColumn = "SearchVector";

    public static void ApplySqlite(MigrationBuilder migration)
    {
        // A plain FTS5 table with the id and owner unindexed rather than external content: highlights has a GUID key,
        // and its implicit rowid may change on VACUUM, which would silently detach an external-content index.
        migration.Sql("""CREATE VIRTUAL TABLE highlights_fts USING fts5("Id" UNINDEXED, "UserId" UNINDEXED, "Text", "Note", tokenize = 'porter unicode61');""");
        migration.Sql("""INSERT INTO highlights_fts ("Id", "UserId", "Text", "Note") SELECT "Id", "UserId", "Text", coalesce("Note", '') FROM highlights;""");
        migration.Sql("""
            CREATE TRIGGER highlights_fts_insert AFTER INSERT ON highlights BEGIN
              INSERT INTO highlights_fts ("Id", "UserId", "Text", "Note") VALUES (new."Id", new."UserId", new."Text", coalesce(new."Note", ''));
            END;
            """);
        migration.Sql("""
            CREATE TRIGGER highlights_fts_delete AFTER DELETE ON highlights BEGIN
              DELETE FROM highlights_fts WHERE "Id" = old."Id";
            END;
            """);
        migration.Sql("""
            CREATE TRIGGER highlights_fts_update AFTER UPDATE OF "Text", "Note", "UserId" ON highlights BEGIN
              DELETE FROM highlights_fts WHERE "Id" = old."Id";
              INSERT INTO highlights_fts ("Id", "UserId", "Text", "Note") VALUES (new."Id", new."UserId", new."Text", coalesce(new."Note", ''));
            END;
            """);
    }

    public static void RevertSqlite(MigrationBuilder migration)
    {
        migration.Sql("DROP TRIGGER IF EXISTS highlights_fts_update;");
        migration.Sql("DROP TRIGGER IF EXISTS highlights_fts_delete;");
        migration.Sql("DROP TRIGGER IF EXISTS highlights_fts_insert;");
        migration.Sql("DROP TABLE IF EXISTS highlights_fts;");
    }

    /// <summary>
    /// The user's highlights matching every word of <paramref name="query"/> (stemmed), best first. Only words reach
    /// the engine: FTS5 and tsquery both have an operator syntax that a person's search box must not speak.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> SearchAsync(this HatchDbContext db, string userId, string query, int limit, CancellationToken cancellationToken)
    {
        var words = Words(query);
        if (words.Count == 0) return [];
        if (db.Database.IsNpgsql())
        {
            var text = string.Join(' ', words);
            return await db.Database.SqlQuery<Guid>($"""
                SELECT "Id" AS "Value" FROM highlights
                WHERE "UserId" = {userId}
                  AND "SearchVector" @@ plainto_tsquery('english'::regconfig, {text})
                ORDER BY ts_rank("SearchVector", plainto_tsquery('english'::regconfig, {text})) DESC, "Id"
                LIMIT {limit}
                """).ToListAsync(cancellationToken);
        }
        // ORDER BY rank, not bm25(...) and "Id": FTS5 then sorts the matches itself by score alone and hands them out
        // best first, so "UserId" and "Id" are read from the content table only until the limit is reached. Ordering
        // by an expression and a column read both for every match: a common word in a library of 100,000 matched
        // 18,000 rows, and those reads were a third of the query. Ties at the cut go in insertion order; the rows
        // kept are then ordered by score and id, as PostgreSQL orders them.
        var match = string.Join(' ', words.Select(w => $"\"{w}\""));
        var hits = await db.Database.SqlQuery<RankedId>($"""
            SELECT "Id", rank AS "Rank" FROM highlights_fts
            WHERE highlights_fts MATCH {match} AND "UserId" = {userId}
            ORDER BY rank
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
        return hits.Select(h => (h.Rank, Id: Guid.Parse(h.Id, CultureInfo.InvariantCulture)))
            .OrderBy(h => h.Rank).ThenBy(h => h.Id).Select(h => h.Id).ToArray();
    }

    /// <summary>One FTS5 match: the highlight's id as stored in the side table, and its bm25 score (lower is better).</summary>
    private sealed record RankedId(string Id, double Rank);

    internal static IReadOnlyList<string> Words(string query)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in query)
        {
            if (char.IsLetterOrDigit(ch)) current.Append(ch);
            else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words.Take(32).ToArray();
    }
}
