using Hatch.Core.Embeddings;
using Hatch.Core.Hatching;
using Hatch.Core.Highlights;
using Hatch.Core.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Core;

public static class HatchCoreExtensions
{
    /// <summary>
    /// Registers the importers and the hatching pipeline. The writer is the offline extractive one unless
    /// configuration names a language model provider.
    /// </summary>
    public static IHostApplicationBuilder AddHatchCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HatchLimits>().BindConfiguration(HatchLimits.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => HighlightImporters.Default.WithLimits(sp.GetRequiredService<IOptions<HatchLimits>>().Value));
        services.TryAddSingleton<HighlightSelector>();
        // Before the writers: the extractive writer takes the embedding generator when one is registered.
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        services.TryAddSingleton<ArticlePipeline>();
        return builder;
    }
}
