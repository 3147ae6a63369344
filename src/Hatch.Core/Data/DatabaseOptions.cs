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
