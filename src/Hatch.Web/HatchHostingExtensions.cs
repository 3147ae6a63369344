using Hatch.Data;

namespace Hatch.Web;

/// <summary>Configuration and schema steps shared by the web process and the worker process.</summary>
public static partial class HatchHostingExtensions
{
    /// <summary>
    /// The top-level appsettings.json is linked beside the binary. When the process starts elsewhere (e.g.
    /// `dotnet run --project src/Hatch.Web` from the repository root) it is still read, and environment variables and
    /// command-line arguments still override it.
    /// </summary>
    public static IHostApplicationBuilder AddHatchConfiguration(this IHostApplicationBuilder builder, string[] args)
    {
        if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")))
        {
            builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, $"appsettings.{builder.Environment.EnvironmentName}.json"), optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(args);
        }
        return builder;
    }

    /// <summary>
    /// Development, and the embedded SQLite file in any environment, apply pending migrations: a SQLite file belongs
    /// to one process, so migrating at start is what a newcomer expects. PostgreSQL outside Development refuses to
    /// start while the schema is behind, because several processes share it and migrating it is an operator's
    /// decision (`hatch db migrate`).
    /// </summary>
    public static async Task PrepareDatabaseAsync(this IHost host)
    {
        // Settings are checked before the database is touched, so a wrong one is reported by name, not as a failed migration.
        host.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Hatch.Database");
        await using var scope = host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<HatchDatabase>();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        var embedded = options.Provider == DatabaseProvider.Sqlite;
        if (environment.IsDevelopment() || embedded)
        {
            // Said once, with the path, so a new empty library never appears silently (see DatabaseOptions.DataRoot).
            if (DatabaseOptions.SqliteFile(options.ConnectionString) is { } file && !File.Exists(file))
                LogNewLibrary(logger, file);
            var applied = await database.MigrateAsync();
            if (applied.Count > 0) LogMigrated(logger, applied.Count, database.ProviderName);
            return;
        }

        var pending = await database.PendingMigrationsAsync();
        if (pending.Count > 0)
        {
            var message = $"The database schema is behind: {pending.Count} migration(s) not applied ({string.Join(", ", pending)}). "
                + "Run `hatch db migrate` (or `dotnet run --project src/Hatch.Cli -- db migrate`) with the same ConnectionStrings__Hatch, then start again.";
            LogBehind(logger, message);
            throw new SchemaBehindException(message);
        }
        await database.EnsureRolesAsync();
    }

    [LoggerMessage(LogLevel.Information, "Created a new library at {Path}")]
    private static partial void LogNewLibrary(ILogger logger, string path);

    [LoggerMessage(LogLevel.Information, "Applied {Count} migration(s) to the {Provider} database")]
    private static partial void LogMigrated(ILogger logger, int count, string provider);

    [LoggerMessage(LogLevel.Critical, "{Message}")]
    private static partial void LogBehind(ILogger logger, string message);
}
