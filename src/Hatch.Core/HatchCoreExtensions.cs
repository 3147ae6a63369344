using Hatch.Core.Hatching;
using Hatch.Core.Hatching.Extractive;
using Hatch.Core.Highlights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hatch.Core;

public static class HatchCoreExtensions
{
    /// <summary>Registers the importers and the hatching pipeline with the extractive writer (the embedded default).</summary>
    public static IServiceCollection AddHatchCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(HighlightImporters.Default);
        services.TryAddSingleton<HighlightSelector>();
        services.TryAddSingleton<IArticleWriter, ExtractiveArticleWriter>();
        services.TryAddSingleton<ArticlePipeline>();
        return services;
    }
}
