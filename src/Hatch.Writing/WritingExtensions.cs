using Hatch.Writing.Hatching;
using Hatch.Writing.Importing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Writing;

public static class WritingExtensions
{
    /// <summary>
    /// Registers the importers (with the configured limits), the selector and the hatching pipeline. The pipeline's
    /// <see cref="IArticleWriter"/> comes from the host: Hatch.Llm's <c>AddHatchLlm</c> registers the extractive writer
    /// or a model writer, as configured.
    /// </summary>
    public static IHostApplicationBuilder AddHatchWriting(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HatchLimits>().BindConfiguration(HatchLimits.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => HighlightImporters.Default.WithLimits(sp.GetRequiredService<IOptions<HatchLimits>>().Value));
        services.TryAddSingleton<HighlightSelector>();
        services.TryAddSingleton<ArticlePipeline>();
        return builder;
    }
}
