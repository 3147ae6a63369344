using Hatch.Writing.Text;
using Microsoft.Extensions.AI;

namespace Hatch.Writing.Themes;

public static class EmbeddingGeneratorExtensions
{
    /// <summary>
    /// Embeds <paramref name="texts"/> and returns unit-length float arrays in the same order, whatever the
    /// provider: the semantic services compare vectors by dot product, so a provider that does not normalise
    /// would otherwise skew every score.
    /// </summary>
    public static async Task<float[][]> EmbedAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0) return [];
        var embeddings = await generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != texts.Count)
            throw new InvalidOperationException($"The embedding provider returned {embeddings.Count} vectors for {texts.Count} texts.");
        return embeddings.Select(e => VectorMath.Normalize(e.Vector.ToArray())).ToArray();
    }

    /// <summary>The model id stored beside each vector, so a change of model is noticed and vectors recomputed.</summary>
    public static string ModelIdOf(this IEmbeddingGenerator<string, Embedding<float>> generator) =>
        generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId
        ?? generator.GetService<EmbeddingGeneratorMetadata>()?.ProviderName
        ?? generator.GetType().Name;
}

/// <summary>
/// Sends a remote provider at most <see cref="BatchSize"/> texts per call, so one import of thousands of highlights
/// becomes many small requests that each fit the provider's limits and can be retried on their own.
/// </summary>
public sealed class BatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int batchSize)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public int BatchSize { get; } = batchSize;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var batch in values.Chunk(BatchSize))
        {
            var part = await base.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            result.AddRange(part);
            if (part.Usage is { } usage)
            {
                result.Usage ??= new UsageDetails();
                result.Usage.Add(usage);
            }
        }
        return result;
    }
}
