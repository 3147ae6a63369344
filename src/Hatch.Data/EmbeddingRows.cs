using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Hatch.Data;

/// <summary>
/// Storing vectors when two runs may race for the same highlights (the import's near-duplicate check and the embedding
/// job): <c>INSERT … ON CONFLICT DO NOTHING</c>, which SQLite and PostgreSQL both speak, so the run that comes second
/// stores nothing and no error is raised or logged, instead of a unique violation that EF Core logs as a failure.
/// </summary>
public static class EmbeddingRows
{
    /// <summary>
    /// Rows per statement on SQLite. Microsoft.Data.Sqlite matches every parameter to the statement by name, so the
    /// binding grows with the square of a statement's parameters: 1,000 vectors in one statement (5,000
    /// parameters) took 0.8 s, most of an import's time storing vectors. PostgreSQL takes the whole set at once.
    /// </summary>
    private const int SqliteRowsPerStatement = 50;

    /// <summary>Inserts <paramref name="rows"/>, skipping any (highlight, model) already stored; returns how many were inserted.</summary>
    public static async Task<int> InsertMissingAsync(this HatchDbContext db, IReadOnlyList<HighlightEmbedding> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return 0;
        var perStatement = db.Database.IsSqlite() ? SqliteRowsPerStatement : rows.Count;
        if (rows.Count <= perStatement) return await InsertStatementAsync(db, rows, cancellationToken);
        // One transaction for all the statements, as the single statement was: all of the rows or none.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var inserted = 0;
            foreach (var chunk in rows.Chunk(perStatement))
                inserted += await InsertStatementAsync(db, chunk, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return inserted;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    private static async Task<int> InsertStatementAsync(HatchDbContext db, IReadOnlyList<HighlightEmbedding> rows, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(HighlightEmbedding))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        // Column names and value conversions come from the model (SQLite stores DateTimeOffset as a number), so the
        // rows are written exactly as SaveChanges would write them.
        var columns = new[]
        {
            nameof(HighlightEmbedding.HighlightId), nameof(HighlightEmbedding.ModelId), nameof(HighlightEmbedding.Dimensions),
            nameof(HighlightEmbedding.Vector), nameof(HighlightEmbedding.CreatedAt),
        }.Select(name => entity.FindProperty(name)!).ToArray();
        var text = new StringBuilder()
            .Append("INSERT INTO ").Append(sql.DelimitIdentifier(entity.GetTableName()!))
            .Append(" (").AppendJoin(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName()))).Append(") VALUES ");
        var parameters = new List<object>(rows.Count * columns.Length);
        using var factory = db.Database.GetDbConnection().CreateCommand();
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0) text.Append(", ");
            text.Append('(');
            for (var c = 0; c < columns.Length; c++)
            {
                var name = $"p{parameters.Count}";
                if (c > 0) text.Append(", ");
                text.Append(sql.GenerateParameterNamePlaceholder(name));
                var value = columns[c].PropertyInfo!.GetValue(rows[r]);
                parameters.Add(columns[c].GetRelationalTypeMapping().CreateParameter(factory, name, value, nullable: false));
            }
            text.Append(')');
        }
        text.Append(" ON CONFLICT DO NOTHING");
        return await db.Database.ExecuteSqlRawAsync(text.ToString(), parameters, cancellationToken);
    }

    /// <summary>
    /// The highlight was deleted between reading it and storing its vector: expected under concurrency, and nothing
    /// is lost (the vector has nothing left to describe).
    /// </summary>
    public static bool IsMissingHighlight(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 } => true, // SQLITE_CONSTRAINT_FOREIGNKEY
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => true,
        _ => false,
    };
}
