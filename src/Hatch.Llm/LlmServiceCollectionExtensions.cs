using Hatch.Embeddings;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Polly;

namespace Hatch.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>The named HttpClient every model call goes through; its resilience handler is the only retry layer.</summary>
    public const string HttpClientName = ModelHttpClient.Name;

    /// <summary>
    /// Registers the writer chosen by Hatch:Llm:Provider, the Semantic Kernel chat service for that provider,
    /// the prompt library, the token budget and the limits.
    /// </summary>
    public static IHostApplicationBuilder AddHatchLlm(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.AddOptions<PromptOptions>().BindConfiguration(PromptOptions.SectionName);

        services.TryAddSingleton<PromptLibrary>();
        services.TryAddSingleton<TokenCounter>();
        services.TryAddSingleton<ArticlePromptBuilder>();
        services.TryAddSingleton<LlmRuntimeState>();
        services.TryAddSingleton<LlmCallGate>();
        services.TryAddSingleton<LlmCheck>();
        services.TryAddTransient<ModelCallHandler>();

        // Retries live here and only here: Semantic Kernel turns off the OpenAI client's own retry policy when it
        // is given an HttpClient, and the writer does not retry failed calls (only invalid or cut-off replies).
        var http = services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("hatch-llm", static (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<LlmOptions>>().Value;
                var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Hatch.Llm.Retry");
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(o.MaxRetries, 1),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = o.RetryBaseDelay,
                    MaxDelay = o.RetryMaxDelay,
                    // Our own Retry-After reading, so the server's wait is honoured but capped by RetryMaxDelay.
                    ShouldRetryAfterHeader = false,
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, o.RetryMaxDelay)),
                    ShouldHandle = args => ValueTask.FromResult(o.MaxRetries > 0 && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    OnRetry = args =>
                    {
                        logger.LogWarning("Model call attempt {Attempt} failed ({Outcome}); retrying in {DelayMs} ms",
                            args.AttemptNumber + 1,
                            args.Outcome.Result is { } r ? $"{(int)r.StatusCode} {r.StatusCode}" : args.Outcome.Exception?.GetType().Name,
                            (long)args.RetryDelay.TotalMilliseconds);
                        return ValueTask.CompletedTask;
                    },
                });
                // Per attempt, inside the retry: a hung attempt is abandoned and retried like a 503.
                pipeline.AddTimeout(o.CallTimeout);
            });
        // Added after the resilience handler, so it sits inside it and sees every attempt.
        http.AddHttpMessageHandler<ModelCallHandler>();

        services.AddKernel();
        services.TryAddSingleton<IChatCompletionService>(CreateChatService);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPromptRenderFilter, PromptLoggingFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFunctionInvocationFilter, PromptLoggingFilter>());

        services.TryAddSingleton<ExtractiveArticleWriter>();
        services.TryAddSingleton<KernelArticleWriter>();
        services.TryAddSingleton<SectionReviser>();
        services.TryAddSingleton<ISectionReviser>(sp => sp.GetRequiredService<SectionReviser>());
        services.TryAddSingleton<IArticleWriter>(sp =>
            sp.GetRequiredService<IOptions<LlmOptions>>().Value.Provider == LlmProvider.Extractive
                ? sp.GetRequiredService<ExtractiveArticleWriter>()
                : sp.GetRequiredService<KernelArticleWriter>());
        return builder;
    }

    private static IChatCompletionService CreateChatService(IServiceProvider sp)
    {
        var o = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
        var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var loggers = sp.GetService<ILoggerFactory>();
        return o.Provider switch
        {
            LlmProvider.OpenAI when string.IsNullOrWhiteSpace(o.Endpoint) =>
                new OpenAIChatCompletionService(o.Model!, o.ApiKey!, o.Organization, http, loggers),
            LlmProvider.OpenAI or LlmProvider.OpenAICompatible =>
                // A compatible server is the OpenAI connector with another base URL; many need no key, but the
                // client insists on one, so a placeholder is sent.
                new OpenAIChatCompletionService(o.Model!, new Uri(o.Endpoint!), string.IsNullOrWhiteSpace(o.ApiKey) ? "unused" : o.ApiKey,
                    o.Organization, http, loggers),
            LlmProvider.AzureOpenAI =>
                new AzureOpenAIChatCompletionService(o.Deployment!, o.Endpoint!, o.ApiKey!, o.Model, http, loggers,
                    string.IsNullOrWhiteSpace(o.ApiVersion) ? null : o.ApiVersion),
            _ => throw new InvalidOperationException($"{LlmOptions.SectionName}:Provider is {o.Provider}: no language model is configured."),
        };
    }

    /// <summary>The server's Retry-After (seconds or a date), capped; null falls back to exponential backoff with jitter.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter) return null;
        TimeSpan? wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is null) return null;
        return wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value > max ? max : wait.Value;
    }
}
