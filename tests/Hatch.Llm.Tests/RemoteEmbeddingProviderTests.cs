using Hatch.Embeddings;
using Hatch.TestSupport;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Llm.Tests;

/// <summary>
/// The remote embedding providers, wired as the apps wire them, against a real HTTP server speaking the OpenAI and
/// Azure OpenAI embeddings protocols: Semantic Kernel's connector really runs.
/// </summary>
public sealed class RemoteEmbeddingProviderTests : IAsyncLifetime
{
    private const string EmbeddingModel = "text-embedding-3-small";
    private const string EmbeddingDeployment = "hatch-embeddings";
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAIServer.StartAsync();
        _server.ApiKey = LlmTestHost.Key;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IHost Host(string provider, int maxRetries = 3) => LlmTestHost.Build(_server, settings: new Dictionary<string, string?>
    {
        ["Hatch:Llm:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Hatch:Embeddings:Provider"] = provider,
        ["Hatch:Embeddings:Model"] = EmbeddingModel,
        ["Hatch:Embeddings:BatchSize"] = "2",
        ["Hatch:Embeddings:Endpoint"] = provider == EmbeddingProviders.AzureOpenAI ? _server.BaseUri.ToString() : _server.OpenAIEndpoint.ToString(),
        ["Hatch:Embeddings:Deployment"] = provider == EmbeddingProviders.AzureOpenAI ? EmbeddingDeployment : null,
        ["Hatch:Embeddings:ApiVersion"] = provider == EmbeddingProviders.AzureOpenAI ? "2024-10-21" : null,
    });

    private static readonly string[] Texts =
    [
        "Sleep consolidates memory.", "Spaced retrieval beats rereading.", "Compound interest rewards patience.",
        "Teams learn when mistakes are safe to admit.", "Index funds keep fees low.",
    ];

    [Theory]
    [InlineData(EmbeddingProviders.OpenAI, "/v1/embeddings")]
    [InlineData(EmbeddingProviders.OpenAICompatible, "/v1/embeddings")]
    [InlineData(EmbeddingProviders.AzureOpenAI, "/openai/deployments/" + EmbeddingDeployment + "/embeddings")]
    public async Task EachRemoteProviderCallsTheServerInBatchesAndReturnsItsVectorsNormalised(string provider, string path)
    {
        using var host = Host(provider);
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var vectors = await generator.EmbedAsync(Texts);

        var requests = _server.EmbeddingRequests;
        Assert.Equal(3, requests.Count); // 5 texts in batches of 2
        Assert.All(requests, r => Assert.Equal(path, r.Path));
        if (provider == EmbeddingProviders.AzureOpenAI)
        {
            Assert.All(requests, r => Assert.Equal(LlmTestHost.Key, r.Header("api-key")));
            Assert.All(requests, r => Assert.Contains("api-version=2024-10-21", r.Query));
        }
        else
        {
            Assert.All(requests, r => Assert.Equal("Bearer " + LlmTestHost.Key, r.Header("Authorization")));
            Assert.All(requests, r => Assert.Equal(EmbeddingModel, r.Model));
        }
        Assert.Equal(Texts, requests.SelectMany(r => r.Json!["input"]!.AsArray().Select(i => i!.GetValue<string>())));
        Assert.Empty(_server.Requests); // no chat call
        for (var i = 0; i < Texts.Length; i++)
        {
            var expected = VectorMath.Normalize(FakeOpenAIServer.DeterministicEmbedding(Texts[i], _server.EmbeddingDimensions));
            Assert.Equal(expected, vectors[i]);
        }
        Assert.False(LexicalEmbeddingGenerator.IsLexical(generator));
        // The id stored beside each vector: the model, or for Azure the deployment that names it.
        Assert.Equal(provider == EmbeddingProviders.AzureOpenAI ? EmbeddingDeployment : EmbeddingModel, generator.ModelIdOf());
    }

    [Fact]
    public async Task AFailingEndpointIsRetriedByTheModelClientOnlyThenThrowsWithTheProvidersStatus()
    {
        _server.EmbeddingFault = _ => FakeReply.Error(503, "The embeddings service is overloaded.");
        using var host = Host(EmbeddingProviders.OpenAICompatible, maxRetries: 1);
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => generator.EmbedAsync(Texts));

        // Hatch:Llm:MaxRetries = 1: one try and one retry by the model HttpClient, not the OpenAI client's own three on top.
        Assert.Equal(2, _server.EmbeddingRequests.Count);
        Assert.Contains("503", EmbeddingFailure.Describe(error));
        Assert.Contains("overloaded", EmbeddingFailure.Describe(error));
    }
}
