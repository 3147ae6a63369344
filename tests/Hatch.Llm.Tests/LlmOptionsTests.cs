using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hatch.Llm.Tests;

public sealed class LlmOptionsTests
{
    [Theory]
    [InlineData("OpenAI", "Hatch:Llm:ApiKey", "Hatch:Llm:ApiKey is required when Hatch:Llm:Provider is OpenAI")]
    [InlineData("OpenAI", "Hatch:Llm:Model", "Hatch:Llm:Model is required when Hatch:Llm:Provider is OpenAI")]
    [InlineData("AzureOpenAI", "Hatch:Llm:Deployment", "Hatch:Llm:Deployment is required when Hatch:Llm:Provider is AzureOpenAI")]
    [InlineData("AzureOpenAI", "Hatch:Llm:Endpoint", "Hatch:Llm:Endpoint is required when Hatch:Llm:Provider is AzureOpenAI")]
    [InlineData("OpenAICompatible", "Hatch:Llm:Endpoint", "Hatch:Llm:Endpoint is required when Hatch:Llm:Provider is OpenAICompatible")]
    public void AMissingSettingIsNamed(string provider, string missing, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hatch:Llm:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Hatch:Llm:Deployment"] = "d",
            [missing] = "",
        };
        using var host = LlmTestHost.Build(null, Enum.Parse<LlmProvider>(provider), settings);

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<LlmOptions>>().Value);

        Assert.Contains(message, failure.Message);
    }

    [Theory]
    [InlineData("Hatch:Llm:Tokenizer", "p50k", "Hatch:Llm:Tokenizer must be o200k_base or cl100k_base")]
    [InlineData("Hatch:Llm:Endpoint", "localhost:11434", "Hatch:Llm:Endpoint must be an http(s) URL")]
    [InlineData("Hatch:Llm:StructuredOutput", "xml", "Hatch:Llm:StructuredOutput must be auto, json_schema or json_object")]
    [InlineData("Hatch:Llm:MaxConcurrentCalls", "0", "Hatch:Llm:MaxConcurrentCalls must be at least 1")]
    [InlineData("Hatch:Llm:Pipeline", "Twice", "Hatch:Llm:Pipeline must be Single or Planned, got 'Twice'")]
    [InlineData("Hatch:Llm:MaxOutputTokens", "60000", "Hatch:Llm:MaxOutputTokens (60000) leaves too little")]
    public void AWrongSettingIsNamed(string key, string value, string message)
    {
        using var host = LlmTestHost.Build(null, LlmProvider.OpenAICompatible, new Dictionary<string, string?>
        {
            ["Hatch:Llm:Endpoint"] = "http://127.0.0.1:9/v1",
            [key] = value,
        });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<LlmOptions>>().Value);

        Assert.Contains(message, failure.Message);
    }

    [Fact]
    public void TheExtractiveWriterIsTheDefaultAndNeedsNoKey()
    {
        using var host = LlmTestHost.Build(null, LlmProvider.Extractive, new Dictionary<string, string?> { ["Hatch:Llm:ApiKey"] = null });
        Assert.IsType<ExtractiveArticleWriter>(host.Services.GetRequiredService<IArticleWriter>());
    }

    [Fact]
    public async Task AProviderSelectsTheKernelWriter()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var host = LlmTestHost.Build(server);
        var writer = host.Services.GetRequiredService<IArticleWriter>();
        Assert.IsType<KernelArticleWriter>(writer);
        Assert.Equal("OpenAICompatible", writer.Name);
    }

    [Fact]
    public async Task TheCheckReportsWhatTheProviderSaid()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Enqueue(FakeReply.Text("ready"));
        using var host = LlmTestHost.Build(server);

        var result = await host.Services.GetRequiredService<LlmCheck>().RunAsync();

        Assert.True(result.Ok);
        Assert.Equal(("OpenAICompatible", LlmTestHost.Model, "ready"), (result.Provider, result.Model, result.Said));
        Assert.Equal(server.OpenAIEndpoint.ToString(), result.Endpoint);
    }

    [Fact]
    public async Task TheCheckReportsAReadableErrorWithoutTheKey()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.ApiKey = "the-right-one";
        using var host = LlmTestHost.Build(server, LlmProvider.AzureOpenAI);

        var result = await host.Services.GetRequiredService<LlmCheck>().RunAsync();

        Assert.False(result.Ok);
        Assert.Contains("401", result.Said);
        Assert.Contains("Hatch:Llm:ApiKey", result.Said);
        Assert.DoesNotContain(LlmTestHost.Key, result.Said);
        Assert.Single(server.Requests);
    }
}
