using Hatch.Features.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Hatching;

public static class HatchingExtensions
{
    /// <summary>Hatch requests: the scheduler that stores and enqueues them, their job, and the sweeper for lost ones.</summary>
    public static IHostApplicationBuilder AddHatching(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobOptions>().BindConfiguration(JobOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddScoped<RequestQueue>();
        builder.Services.AddScoped<HatchScheduler>();
        builder.Services.AddScoped<HatchSource>();
        builder.Services.AddScoped<HatchJob>();
        builder.Services.AddScoped<HatchRequestSweeper>();
        return builder;
    }
}
