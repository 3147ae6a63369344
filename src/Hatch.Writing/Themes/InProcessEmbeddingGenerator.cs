using Microsoft.Extensions.AI;

namespace Hatch.Writing.Themes;

/// <summary>
/// A generator that runs in this process (MiniLM, the word-vector fallback): it answers for its own metadata and
/// holds nothing per instance to release (a model, if any, belongs to the process).
/// </summary>
public abstract class InProcessEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public abstract EmbeddingGeneratorMetadata Metadata { get; }

    public abstract Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => GC.SuppressFinalize(this);
}
