using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hatch.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// <c>ConnectionStrings:Hatch</c>: a SQLite connection string (the default, a file under ./data/) or a PostgreSQL
/// one (anything with <c>Host=</c>), which also moves Hangfire's storage into that database.
/// </summary>
public sealed class DatabaseOptions : Microsoft.Extensions.Options.IValidateOptions<DatabaseOptions>
{
    public const string SectionName = "ConnectionStrings";
    public const string DefaultConnectionString = "Data Source=data/hatch.db";

    public string? Hatch { get; set; }

    public string ConnectionString => string.IsNullOrWhiteSpace(Hatch) ? DefaultConnectionString : Hatch;

    public DatabaseProvider Provider => Detect(ConnectionString);

    /// <summary>A connection string that cannot be parsed stops the app at start, naming the key, not at the first query.</summary>
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        try
        {
            if (options.Provider == DatabaseProvider.Postgres)
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            else if (string.IsNullOrWhiteSpace(new SqliteConnectionStringBuilder(options.ConnectionString).DataSource))
                return Microsoft.Extensions.Options.ValidateOptionsResult.Fail("ConnectionStrings:Hatch names no SQLite file (Data Source=…) and no PostgreSQL server (Host=…).");
            return Microsoft.Extensions.Options.ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Fail($"ConnectionStrings:Hatch is not a valid {options.Provider} connection string: {ex.Message}");
        }
    }

    public static DatabaseProvider Detect(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || connectionString.StartsWith("postgres", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.Postgres
            : DatabaseProvider.Sqlite;

    /// <summary>
    /// The SQLite file's folder is created on first use, so a fresh checkout starts with no other step. A relative
    /// path is anchored at <see cref="DataRoot"/>, so the web app and the `hatch` command open the same file.
    /// </summary>
    public static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(DataRoot(), file);
            builder.DataSource = path;
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
        return builder.ToString();
    }

    /// <summary>
    /// <c>Max Auto Prepare=64</c> unless the connection string sets it: the statements every job repeats (Hangfire's
    /// fetch and state changes, the hatch's reads and save) are prepared once per connection, so PostgreSQL stops
    /// parsing and planning them each time (measured by the scale-out drill, docs/reliability.md). The app and
    /// Hangfire get the same string on purpose: one connection pool per process, as before. (Skipping the reset of
    /// pooled connections would save more, but Hangfire.PostgreSql LISTENs on pooled connections and never UNLISTENs.)
    /// Behind PgBouncer in transaction mode older than 1.21, set <c>Max Auto Prepare=0</c>.
    /// </summary>
    public static string PreparePostgres(string connectionString)
    {
        DbConnectionStringBuilder given;
        try
        {
            given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            return connectionString; // Npgsql reports what is wrong with it when it opens
        }
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal));
        return keys.Contains("MaxAutoPrepare", StringComparer.OrdinalIgnoreCase)
            ? connectionString
            : connectionString.TrimEnd().TrimEnd(';') + ";Max Auto Prepare=64";
    }

    /// <summary>
    /// Where relative SQLite paths live: HATCH_HOME when set; else, inside a source checkout, its top folder (the one
    /// holding HatchService.sln), because `dotnet run` starts the web app in its project folder but the command line in
    /// the caller's; else the current directory.
    /// </summary>
    public static string DataRoot()
    {
        if (Environment.GetEnvironmentVariable("HATCH_HOME") is { Length: > 0 } home) return Path.GetFullPath(home);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HatchService.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
