using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Digests;

public static class DigestExtensions
{
    /// <summary>Scheduled digests: the settings store, the one recurring dispatcher, the digest job and the digest email.</summary>
    public static IHostApplicationBuilder AddHatchDigests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<DigestDispatcher>();
        builder.Services.AddScoped<DigestJob>();
        builder.Services.AddScoped<DigestSettingsStore>();
        builder.Services.AddScoped<DigestEmailComposer>();
        builder.Services.AddScoped<DigestEmailJob>();
        return builder;
    }
}
