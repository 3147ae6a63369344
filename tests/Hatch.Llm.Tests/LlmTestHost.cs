using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.TestSupport;
using Hatch.Writing;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hatch.Llm.Tests;

/// <summary>A host wired exactly as the apps wire it, pointed at a fake provider, with small retry delays.</summary>
internal static class LlmTestHost
{
    public const string Model = "gpt-test";
    public const string Key = "test-key";
    public const string Deployment = "hatch-deployment";

    public static IHost Build(
        FakeOpenAIServer? server, LlmProvider provider = LlmProvider.OpenAICompatible, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        var config = new Dictionary<string, string?>
        {
            ["Hatch:Llm:Provider"] = provider.ToString(),
            ["Hatch:Llm:Model"] = Model,
            ["Hatch:Llm:ApiKey"] = Key,
            ["Hatch:Llm:MaxRetries"] = "3",
            ["Hatch:Llm:RetryBaseDelay"] = "00:00:00.010",
            ["Hatch:Llm:RetryMaxDelay"] = "00:00:02",
            ["Hatch:Llm:CallTimeout"] = "00:00:10",
            ["Hatch:Llm:RequestDeadline"] = "00:00:30",
            // Most tests here are about one call (retries, limits, the prompt); the Planned pipeline's tests say so.
            ["Hatch:Llm:Pipeline"] = "Single",
        };
        if (server is not null)
        {
            config["Hatch:Llm:Endpoint"] = provider == LlmProvider.AzureOpenAI ? server.BaseUri.ToString() : server.OpenAIEndpoint.ToString();
            if (provider == LlmProvider.AzureOpenAI)
            {
                config["Hatch:Llm:Deployment"] = Deployment;
                config["Hatch:Llm:ApiVersion"] = "2024-10-21";
            }
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        return builder.Build();
    }

    public static KernelArticleWriter Writer(this IHost host) => host.Services.GetRequiredService<KernelArticleWriter>();

    public static IReadOnlyList<NumberedHighlight> Highlights(int count, Func<int, string>? text = null) =>
        Enumerable.Range(1, count)
            .Select(i => new NumberedHighlight(i, new Highlight
            {
                Text = text?.Invoke(i) ?? $"Highlight number {i}: deliberate practice beats talent when feedback is fast and honest.",
                Source = new HighlightSource($"Book {i % 3}", "A. Author"),
                Note = i % 2 == 0 ? $"note {i}" : null,
            }))
            .ToArray();

    public static ArticleRequest Request(int count = 5, Func<int, string>? text = null) =>
        new(Highlights(count, text), new ArticleOptions { AuthorName = "Ada", Style = "briefing", Length = "short", Language = "en" });
}
