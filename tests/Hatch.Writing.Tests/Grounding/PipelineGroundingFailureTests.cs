using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Grounding;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Hatch.Writing.Tests.Grounding;

public sealed class PipelineGroundingFailureTests
{
    /// <summary>A remote embedding provider that is down: it claims to be a model of meaning and fails every call.</summary>
    private sealed class FailingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw new HttpRequestException("503 Service Unavailable");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("OpenAI", null, "text-embedding-3-small") : null;

        public void Dispose() { }
    }

    [Fact]
    public async Task AnEmbeddingProviderThatFailsLeavesTheDraftUncheckedButWritten()
    {
        var embeddings = new FailingGenerator();
        var checker = new GroundingChecker(embeddings, Options.Create(new GroundingOptions()));
        var pipeline = new ArticlePipeline(new ExtractiveArticleWriter(FixedTime.Default), new HighlightSelector(), FixedTime.Default, checker);

        var document = await pipeline.HatchAsync(SampleHighlights.Generated(6), new HatchOptions());

        Assert.NotEmpty(document.Article.Sections);
        Assert.True(embeddings.Calls > 0, "the check was never attempted");
        Assert.Null(document.Provenance.Grounding);
    }
}
