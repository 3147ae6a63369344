using System.Numerics.Tensors;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class MiniLmEmbeddingGeneratorTests(MiniLmFixture fixture)
{
    [Fact]
    public async Task MiniLmGives384DimensionalUnitVectorsTaggedWithTheModelId()
    {
        var embeddings = await fixture.Generator.GenerateAsync(["Sleep consolidates memory.", "Index funds beat most managers."]);

        Assert.Equal(2, embeddings.Count);
        foreach (var embedding in embeddings)
        {
            Assert.Equal(384, embedding.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(embedding.Vector.Span), 3);
            Assert.Equal("all-MiniLM-L6-v2", embedding.ModelId);
        }
        Assert.Equal("all-MiniLM-L6-v2", fixture.Generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task SentencesAboutTheSameThingAreCloserThanUnrelatedOnesEvenWithoutSharedWords()
    {
        var v = await fixture.Generator.EmbedAsync([
            "Sleep consolidates memory.",
            "Spaced retrieval practice helps you remember what you studied.",
            "Index funds beat most professional managers once fees are counted.",
        ]);

        var related = VectorMath.Cosine(v[0], v[1]);
        var unrelated = VectorMath.Cosine(v[0], v[2]);
        Assert.True(related > unrelated + 0.1, $"related {related:F3} vs unrelated {unrelated:F3}");
    }

    [Fact]
    public async Task TheModelIsLoadedOnceAndSharedByConcurrentCallersAndInstances()
    {
        var texts = fixture.Set.Take(40).Select(h => h.Text).ToArray();
        var generators = Enumerable.Range(0, 4).Select(_ => new MiniLmEmbeddingGenerator()).ToArray();

        var results = await Task.WhenAll(generators.Select(g => Task.Run(() => g.EmbedAsync(texts))));

        Assert.Equal(1, MiniLmEmbeddingGenerator.LoadCount);
        Assert.Same(MiniLmEmbeddingGenerator.SharedModel, MiniLmEmbeddingGenerator.SharedModel);
        for (var r = 1; r < results.Length; r++)
            for (var i = 0; i < texts.Length; i++)
                Assert.Equal(results[0][i], results[r][i]);
        // Same vectors as the fixture computed alone: concurrency changed nothing.
        for (var i = 0; i < texts.Length; i++)
            Assert.True(VectorMath.Cosine(results[0][i], fixture.Vectors[i]) > 0.9999f);
    }

    [Fact]
    public async Task AnEmptyOrVeryLongHighlightStillEmbeds()
    {
        var v = await fixture.Generator.EmbedAsync(["", string.Join(' ', Enumerable.Repeat("memory consolidates during sleep", 2_000))]);

        Assert.All(v, x => Assert.Equal(384, x.Length));
        Assert.All(v, x => Assert.True(x.All(float.IsFinite)));
    }
}
