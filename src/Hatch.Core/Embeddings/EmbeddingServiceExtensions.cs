using System.ClientModel;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Hatch.Core.Embeddings;

public static class EmbeddingServiceExtensions
{
    /// <summary>
    /// Registers <see cref="EmbeddingOptions"/> (validated at start), the
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> that <c>Hatch:Embeddings:Provider</c> names, and
    /// the <see cref="ThemeGrouper"/> the writers share. The generator is a singleton and MiniLM's model is
    /// loaded on first use, so a host that never embeds never pays for it.
    /// </summary>
    public static IHostApplicationBuilder AddHatchEmbeddings(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddingOptions>()
            .BindConfiguration(EmbeddingOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                // One provider account serves the writer and the embeddings unless the embeddings name their own.
                var llm = configuration.GetSection("Hatch:Llm");
                options.Endpoint ??= llm["Endpoint"];
                options.ApiKey ??= llm["ApiKey"];
                options.ApiVersion ??= llm["ApiVersion"];
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingOptions>, EmbeddingOptionsValidator>());
        services.TryAddSingleton(sp => CreateGenerator(sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        services.TryAddSingleton<ThemeGrouper>();
        return builder;
    }

    /// <summary>The generator for validated <paramref name="options"/>; the remote ones are batched and normalised.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateGenerator(EmbeddingOptions options) => options.Provider switch
    {
        EmbeddingProviders.MiniLM => new MiniLmEmbeddingGenerator(options.BatchSize),
        EmbeddingProviders.None => new LexicalEmbeddingGenerator(),
        EmbeddingProviders.OpenAI or EmbeddingProviders.OpenAICompatible => new BatchingEmbeddingGenerator(
            new OpenAIClient(
                    new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey),
                    options.Endpoint is { Length: > 0 } endpoint ? new OpenAIClientOptions { Endpoint = new Uri(endpoint) } : new OpenAIClientOptions())
                .GetEmbeddingClient(options.Model!)
                .AsIEmbeddingGenerator(options.Dimensions),
            options.BatchSize),
        EmbeddingProviders.AzureOpenAI => new BatchingEmbeddingGenerator(
            new AzureOpenAIClient(new Uri(options.Endpoint!), new ApiKeyCredential(options.ApiKey!))
                .GetEmbeddingClient(options.Deployment ?? options.Model!)
                .AsIEmbeddingGenerator(options.Dimensions),
            options.BatchSize),
        _ => throw new OptionsValidationException(EmbeddingOptions.SectionName, typeof(EmbeddingOptions),
            [$"{EmbeddingOptions.SectionName}:Provider must be one of {string.Join(", ", EmbeddingProviders.All)} (got '{options.Provider}')."]),
    };
}
