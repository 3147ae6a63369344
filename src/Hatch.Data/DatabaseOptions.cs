using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hatch.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// <c>ConnectionStrings:Hatch</c>: a SQLite connection string (the default, data/hatch.db under <see cref="DataRoot"/>) or a PostgreSQL
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
        if (SqliteFile(connectionString) is { } path)
        {
            builder.DataSource = path;
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
        return builder.ToString();
    }

    /// <summary>
    /// <c>Max Auto Prepare=64</c> unless the connection string sets it: the statements every job repeats (Hangfire's
    /// fetch and state changes, the hatch's reads and save) are prepared once per connection, so PostgreSQL stops
    /// parsing them each time (measured by the scale-out drill, docs/reliability.md). The app and Hangfire get the
    /// same string on purpose: one connection pool per process, as before. (Skipping the reset of pooled connections
    /// would save more, but Hangfire.PostgreSql LISTENs on pooled connections and never UNLISTENs.)
    /// <para>Prepared statements also get <c>plan_cache_mode=force_custom_plan</c> (through <c>Options</c>): after
    /// five runs PostgreSQL may switch a prepared statement to a generic plan, which prices "this user's rows" at the
    /// average library. For a reader with 100,000 of the table's highlights that plan walks their whole library to
    /// find 500 content hashes or ids (1.7 s a lookup against 3 ms planned for the values; 20 such lookups made an
    /// import of 10,000 take 28 s). Planning each run costs well under a millisecond.</para>
    /// Behind PgBouncer in transaction mode older than 1.21, set <c>Max Auto Prepare=0</c>: nothing is prepared then,
    /// and no <c>Options</c> are sent (PgBouncer refuses that startup parameter unless told to ignore it).
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
        string? Given(string key) => given.Keys.Cast<string>()
            .Where(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase))
            .Select(k => given[k]?.ToString()).FirstOrDefault();

        var prepared = connectionString.TrimEnd().TrimEnd(';');
        var autoPrepare = Given("MaxAutoPrepare");
        if (autoPrepare is null) prepared += ";Max Auto Prepare=64";
        else if (!int.TryParse(autoPrepare, out var statements) || statements <= 0) return connectionString;

        const string CustomPlans = "-c plan_cache_mode=force_custom_plan";
        var options = Given("Options");
        if (options is null) return prepared + $";Options={CustomPlans}";
        if (options.Contains("plan_cache_mode", StringComparison.OrdinalIgnoreCase)) return prepared;
        // The operator's own options stay; ours is added after them.
        var builder = new DbConnectionStringBuilder { ConnectionString = prepared };
        var key = builder.Keys.Cast<string>().First(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), "Options", StringComparison.OrdinalIgnoreCase));
        builder[key] = $"{options} {CustomPlans}";
        return builder.ConnectionString;
    }

    /// <summary>The environment variable that chooses where the library lives, over every other rule.</summary>
    public const string HomeVariable = "HATCH_HOME";

    /// <summary>
    /// Where relative SQLite paths (the default <c>data/hatch.db</c>) live, one documented place whatever the current
    /// folder: <c>HATCH_HOME</c> when set; else, run from inside a source checkout, its top folder (the one holding
    /// HatchService.sln), so `dotnet run` of the web app and of the command line share a file; else the user's data
    /// folder, <c>LocalApplicationData/hatch</c> (<c>~/.local/share/hatch</c> on Linux, honouring XDG_DATA_HOME).
    /// </summary>
    public static string DataRoot()
    {
        if (Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home) return Path.GetFullPath(home);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HatchService.sln"))) return dir.FullName;
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        // Without a home folder (a bare service account) there is no user data folder; the current one is all that is left.
        return string.IsNullOrEmpty(userData) ? Directory.GetCurrentDirectory() : Path.Combine(userData, "hatch");
    }

    /// <summary>The full path of the SQLite file <paramref name="connectionString"/> names, or null for PostgreSQL or an in-memory database.</summary>
    public static string? SqliteFile(string connectionString)
    {
        if (Detect(connectionString) != DatabaseProvider.Sqlite) return null;
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return null; // reported by the options validator, naming the key
        }
        if (builder.DataSource is not { Length: > 0 } file || file == ":memory:" || builder.Mode == SqliteOpenMode.Memory) return null;
        return Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(DataRoot(), file));
    }
}
