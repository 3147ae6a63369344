using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Digests;

public static class DigestExtensions
{
    /// <summary>Scheduled digests: the settings store, the one recurring dispatcher and the digest job.</summary>
    public static IHostApplicationBuilder AddHatchDigests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<DigestDispatcher>();
        builder.Services.AddScoped<DigestJob>();
        builder.Services.AddScoped<DigestSettingsStore>();
        return builder;
    }
}
