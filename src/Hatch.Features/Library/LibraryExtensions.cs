using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Library;

public static class LibraryExtensions
{
    /// <summary>A reader's library: imports, stored vectors and their jobs, search, near-duplicates.</summary>
    public static IHostApplicationBuilder AddHatchLibrary(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMemoryCache();
        services.AddSingleton<VectorIndexCache>();
        services.AddSingleton<PgVectorIndex>();
        services.AddSingleton<IdeasInBackground>();
        services.AddScoped<HighlightLibrary>();
        services.AddScoped<EmbeddingStore>();
        services.AddScoped<NearDuplicateChecker>();
        services.AddScoped<HighlightSearch>();
        services.AddScoped<HighlightIntake>();
        services.AddScoped<EmbeddingJob>();
        services.AddScoped<EmbeddingScheduler>();
        services.AddScoped<EmbeddingRefreshJob>();
        return builder;
    }
}
