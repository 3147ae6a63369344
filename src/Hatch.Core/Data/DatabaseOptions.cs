using Microsoft.Data.Sqlite;

namespace Hatch.Core.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// <c>ConnectionStrings:Hatch</c>: a SQLite connection string (the default, a file under ./data/) or a PostgreSQL
/// one (anything with <c>Host=</c>), which also moves Hangfire's storage into that database.
/// </summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "ConnectionStrings";
    public const string DefaultConnectionString = "Data Source=data/hatch.db";

    public string? Hatch { get; set; }

    public string ConnectionString => string.IsNullOrWhiteSpace(Hatch) ? DefaultConnectionString : Hatch;

    public DatabaseProvider Provider => Detect(ConnectionString);

    public static DatabaseProvider Detect(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || connectionString.StartsWith("postgres", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.Postgres
            : DatabaseProvider.Sqlite;

    /// <summary>The SQLite file's folder is created on first use, so a fresh checkout starts with no other step.</summary>
    public static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
        return builder.ToString();
    }
}
