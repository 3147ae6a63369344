using Hatch.Core;
using Hatch.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
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
        builder.AddHatchCore();
        builder.AddHatchData();
        builder.Services.AddIdentityCore<HatchUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<HatchDbContext>();
        return builder.Build();
    }
}
