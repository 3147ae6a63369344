using System.ClientModel;
using System.ClientModel.Primitives;
using Hatch.Writing.Grounding;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using OpenAI;

namespace Hatch.Embeddings;

public static class EmbeddingServiceExtensions
{
    /// <summary>
    /// Registers <see cref="EmbeddingOptions"/> (validated at start), the
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> that <c>Hatch:Embeddings:Provider</c> names, and
    /// the <see cref="ThemeGrouper"/> the writers share, and the <see cref="GroundingChecker"/> the pipeline runs. The generator is a singleton and MiniLM's model is
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
        services.TryAddSingleton(sp => CreateGenerator(
            sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value,
            // The model HttpClient when the LLM part is registered: its resilience handler retries transient
            // failures and bounds each call, for embeddings as for chat, with one set of Hatch:Llm settings.
            sp.GetService<IHttpClientFactory>()?.CreateClient(ModelHttpClient.Name),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ThemeGrouper>();
        services.AddOptions<GroundingOptions>().BindConfiguration(GroundingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<GroundingChecker>();
        return builder;
    }

    /// <summary>
    /// The generator for validated <paramref name="options"/>. The remote ones are Semantic Kernel's embedding
    /// generators (the same connectors as the writer's chat service), batched; <see cref="EmbeddingGeneratorExtensions.EmbedAsync"/> normalises.
    /// </summary>
    /// <param name="http">
    /// The HttpClient remote calls go through; its handlers are the only retry layer (the OpenAI client's own retry
    /// policy is turned off, as Semantic Kernel does for the chat service). Null: a plain client.
    /// </param>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateGenerator(EmbeddingOptions options, HttpClient? http = null, ILoggerFactory? loggers = null) => options.Provider switch
    {
        EmbeddingProviders.MiniLM => new MiniLmEmbeddingGenerator(options.BatchSize),
        EmbeddingProviders.None => new LexicalEmbeddingGenerator(),
        EmbeddingProviders.OpenAI or EmbeddingProviders.OpenAICompatible => Remote(options, loggers, kernel =>
            // SK's endpoint-less overload only knows api.openai.com; a compatible server needs the client given its URL.
            kernel.AddOpenAIEmbeddingGenerator(options.Model!, OpenAIClientFor(options, http), options.Dimensions)),
        EmbeddingProviders.AzureOpenAI => Remote(options, loggers, kernel =>
            kernel.AddAzureOpenAIEmbeddingGenerator(
                options.Deployment ?? options.Model!, options.Endpoint!, options.ApiKey!, modelId: options.Model,
                dimensions: options.Dimensions, httpClient: http,
                apiVersion: string.IsNullOrWhiteSpace(options.ApiVersion) ? null : options.ApiVersion)),
        _ => throw new OptionsValidationException(EmbeddingOptions.SectionName, typeof(EmbeddingOptions),
            [$"{EmbeddingOptions.SectionName}:Provider must be one of {string.Join(", ", EmbeddingProviders.All)} (got '{options.Provider}')."]),
    };

    private static BatchingEmbeddingGenerator Remote(EmbeddingOptions options, ILoggerFactory? loggers, Action<IKernelBuilder> add)
    {
        var kernel = Kernel.CreateBuilder();
        if (loggers is not null) kernel.Services.AddSingleton(loggers);
        add(kernel);
        return new BatchingEmbeddingGenerator(kernel.Build().GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), options.BatchSize);
    }

    private static OpenAIClient OpenAIClientFor(EmbeddingOptions options, HttpClient? http)
    {
        var clientOptions = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (options.Endpoint is { Length: > 0 } endpoint) clientOptions.Endpoint = new Uri(endpoint);
        if (http is not null) clientOptions.Transport = new HttpClientPipelineTransport(http);
        // Many compatible servers need no key, but the client insists on one, so a placeholder is sent.
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey), clientOptions);
    }
}
