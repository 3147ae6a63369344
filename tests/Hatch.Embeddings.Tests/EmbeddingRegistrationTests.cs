using System.Text.Json;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Embeddings.Tests;

public sealed class EmbeddingRegistrationTests
{
    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        foreach (var (key, value) in settings) builder.Configuration[key] = value;
        builder.AddHatchEmbeddings();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IArticleWriter, ExtractiveArticleWriter>();
        return builder.Build();
    }

    [Theory]
    [InlineData("Hatch:Embeddings:Provider", "Bert", "Hatch:Embeddings:Provider")]
    [InlineData("Hatch:Embeddings:BatchSize", "0", "Hatch:Embeddings:BatchSize")]
    [InlineData("Hatch:Embeddings:NearDuplicateThreshold", "1.5", "Hatch:Embeddings:NearDuplicateThreshold")]
    [InlineData("Hatch:Embeddings:Model", "bge-small", "Hatch:Embeddings:Model")]
    [InlineData("Hatch:Embeddings:Index", "Hnsw", "Hatch:Embeddings:Index must be one of Memory, PgVector")]
    public async Task ABadSettingStopsTheHostAndTheMessageNamesIt(string key, string value, string named)
    {
        using var host = Build((key, value));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task AzureOpenAIWithoutAnEndpointNamesTheEndpointSetting()
    {
        using var host = Build(("Hatch:Embeddings:Provider", "AzureOpenAI"), ("Hatch:Embeddings:Model", "emb"), ("Hatch:Llm:ApiKey", "k"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Hatch:Embeddings:Endpoint", error.Message);
        Assert.DoesNotContain("ApiKey", error.Message);
    }

    [Fact]
    public void TheRemoteProvidersTakeEndpointAndKeyFromTheLlmSettings()
    {
        using var host = Build(
            ("Hatch:Embeddings:Provider", "OpenAICompatible"), ("Hatch:Embeddings:Model", "nomic-embed-text"),
            ("Hatch:Llm:Endpoint", "http://127.0.0.1:9/v1"), ("Hatch:Llm:ApiKey", "secret"));

        var options = host.Services.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.Equal("http://127.0.0.1:9/v1", options.Endpoint);
        Assert.Equal("secret", options.ApiKey);
        Assert.Equal("nomic-embed-text", generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        Assert.False(LexicalEmbeddingGenerator.IsLexical(generator));
    }

    [Fact]
    public async Task MiniLMIsTheDefaultProviderAndASingleton()
    {
        using var host = Build();
        await host.StartAsync();

        var first = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.IsType<MiniLmEmbeddingGenerator>(first);
        Assert.Same(first, host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.True(host.Services.GetRequiredService<ThemeGrouper>().UsesEmbeddings);
        await host.StopAsync();
    }

    [Fact]
    public async Task ProviderNoneWorksOfflineWithLexicalVectorsAndTheWriterGroupsByWordsAsBefore()
    {
        using var host = Build(("Hatch:Embeddings:Provider", "None"));
        await host.StartAsync();
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var writer = host.Services.GetRequiredService<IArticleWriter>();
        var highlights = SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray();

        var vectors = await generator.EmbedAsync(["Sleep consolidates memory", "memory consolidates during sleep", "index funds"]);
        var viaHost = await writer.WriteAsync(ArticleRequest.From(highlights));
        var plain = await new ExtractiveArticleWriter(TimeProvider.System).WriteAsync(ArticleRequest.From(highlights));

        Assert.IsType<LexicalEmbeddingGenerator>(generator);
        Assert.False(host.Services.GetRequiredService<ThemeGrouper>().UsesEmbeddings);
        Assert.All(vectors, v => Assert.Equal(LexicalEmbeddingGenerator.Dimensions, v.Length));
        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) > 0.99f);
        Assert.Equal(0f, VectorMath.Cosine(vectors[0], vectors[2]), 3);
        Assert.Equal(JsonSerializer.Serialize(plain.Article), JsonSerializer.Serialize(viaHost.Article));
        await host.StopAsync();
    }
}
