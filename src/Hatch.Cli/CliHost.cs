using Hatch.Core;
using Hatch.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Hatch.Core.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hatch.Cli;

/// <summary>
/// The same configuration the web app reads (appsettings.json beside the binary, then environment variables),
/// so a setting such as Hatch__Llm__Provider means the same thing to both.
/// </summary>
public static class CliHost
{
    public static IHost Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });
        if (overrides is { Count: > 0 })
            builder.Configuration.AddInMemoryCollection(overrides);
        // Commands print what matters themselves; framework chatter would mix into stdout.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddFilter(level => level >= LogLevel.Warning);
        // Polly logs every retry with a stack trace; the model client logs one line per retry itself and the
        // command prints the final reason, so Polly's own lines would only bury them.
        builder.Logging.AddFilter("Polly", LogLevel.None);
        builder.AddHatchCore();
        builder.AddHatchData();
        builder.Services.AddIdentityCore<HatchUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<HatchDbContext>();
        builder.AddHatchTelemetry("hatch-cli");
        return builder.Build();
    }

    /// <summary>
    /// Builds the host and checks the settings the way the web app does at start; a missing or wrong setting is
    /// reported on stderr by its name (e.g. Hatch:Llm:ApiKey) and null is returned, for exit code 2.
    /// </summary>
    public static async Task<IHost?> BuildOrReportAsync(TextWriter stderr, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        IHost? host = null;
        try
        {
            host = Build(overrides);
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
