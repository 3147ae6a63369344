using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Llm;
using Hatch.ServiceDefaults;
using Hatch.Writing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Cli.Hosting;

/// <summary>
/// The same configuration the web app reads (appsettings.json beside the binary, then environment variables),
/// so a setting such as Hatch__Llm__Provider means the same thing to both. Two kinds of host: the writers
/// (`hatch article`, `hatch llm`), which load no database, Identity or job code, and the database (`hatch db`,
/// `hatch users`).
/// </summary>
public static class CliHost
{
    /// <summary>Importers, embeddings, the configured writer and the pipeline: all `hatch article` (and `hatch import` without a database) needs.</summary>
    public static IHost BuildWriting(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = CreateBuilder(overrides);
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        builder.AddHatchTelemetry("hatch-cli");
        return builder.Build();
    }

    /// <summary>
    /// The database named by ConnectionStrings:Hatch, with Identity's user and role stores; with
    /// <paramref name="importers"/>, the importers too (`hatch import --user`), still without embeddings or a model.
    /// When that is a SQLite file that does not exist yet, it is created with the current schema and that is said once
    /// on <paramref name="stderr"/>, with the path, so a new empty library never appears silently. A new file has no
    /// other process using it, so migrating it here is safe, and `hatch users add` works before the web app first ran.
    /// </summary>
    public static IHost BuildDatabase(bool importers = false, TextWriter? stderr = null, bool migrateNew = true)
    {
        var builder = CreateBuilder(null);
        builder.AddHatchData();
        if (importers) builder.AddHatchWriting();
        builder.Services.AddIdentityCore<HatchUser>(HatchIdentityRules.Apply).AddRoles<IdentityRole>().AddEntityFrameworkStores<HatchDbContext>();
        var host = builder.Build();
        if (stderr is not null && DatabaseOptions.SqliteFile(host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString) is { } file
            && !File.Exists(file))
        {
            using var scope = host.Services.CreateScope();
            // `hatch db migrate` migrates (and shows its progress) itself.
            if (migrateNew) scope.ServiceProvider.GetRequiredService<HatchDbContext>().Database.Migrate();
            stderr.WriteLine($"hatch: created a new library at {file}");
        }
        return host;
    }

    /// <summary>
    /// Where the library is, for `hatch --help`: the connection string the commands would use (appsettings.json beside
    /// the binary, then ConnectionStrings__Hatch), read without building a host.
    /// </summary>
    public static string DescribeLibrary()
    {
        var configured = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build()
            .GetConnectionString("Hatch");
        var connectionString = string.IsNullOrWhiteSpace(configured) ? DatabaseOptions.DefaultConnectionString : configured;
        return DatabaseOptions.SqliteFile(connectionString) is { } file
            ? $"{file} (SQLite; the folder is ${DatabaseOptions.HomeVariable} if set, else the checkout you are in, else your user data folder)"
            : "the PostgreSQL database named by ConnectionStrings__Hatch";
    }

    private static HostApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?>? overrides)
    {
        // A command reads its settings once: watching appsettings.json for changes would only start a file watcher.
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Configuration = configuration,
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });
        if (overrides is { Count: > 0 })
            builder.Configuration.AddInMemoryCollection(overrides);
        // Commands print what matters themselves; framework chatter would mix into stdout.
        builder.Logging.ClearProviders();
        if (Verbose)
        {
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Debug);
            return builder;
        }
        // One line per warning, in the command's own voice and without stacks: the command prints the final reason
        // itself. Polly and Semantic Kernel log each failed call with its whole stack; the model client already
        // says each retry in a line, so theirs would only bury it.
        builder.Logging.AddConsole(o =>
        {
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            o.FormatterName = BriefConsoleFormatter.FormatterName;
        }).AddConsoleFormatter<BriefConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.SemanticKernel", LogLevel.None);
        // The writer's own failure line is the reason the command prints next; its retry warnings stay.
        builder.Logging.AddFilter("Hatch.Llm.KernelArticleWriter", level => level == LogLevel.Warning);
        return builder;
    }

    private static readonly AsyncLocal<bool> VerboseFlag = new();

    /// <summary>Set by <c>--verbose</c> for the command being run (async-local: tests run commands side by side).</summary>
    public static bool Verbose
    {
        get => VerboseFlag.Value;
        set => VerboseFlag.Value = value;
    }

    /// <summary>
    /// Builds the writing host and checks the settings the way the web app does at start; a missing or wrong setting
    /// is reported on stderr by its name (e.g. Hatch:Llm:ApiKey) and null is returned, for exit code 2.
    /// </summary>
    public static async Task<IHost?> BuildOrReportAsync(TextWriter stderr, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        IHost? host = null;
        try
        {
            host = BuildWriting(overrides);
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
                await stderr.WriteLineAsync($"hatch: {failure}");
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase)
                                                   || ex.Message.Contains("Hatch:", StringComparison.Ordinal))
        {
            // The binder names the key it could not convert, e.g. 'Hatch:Llm:Provider'.
            await stderr.WriteLineAsync($"hatch: {ex.Message}");
        }
        host?.Dispose();
        return null;
    }
}
