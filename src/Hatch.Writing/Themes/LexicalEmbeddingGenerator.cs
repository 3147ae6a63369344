using Hatch.Writing.Text;
using Microsoft.Extensions.AI;

namespace Hatch.Writing.Themes;

/// <summary>
/// The <c>None</c> provider: stemmed content words hashed into a fixed number of dimensions (sub-linear term
/// frequency, signed hashing so collisions cancel rather than pile up). It knows no meaning, only shared words,
/// but it needs no model, so related highlights, search and near-duplicates keep working offline and stored
/// vectors keep one size. The writers see <see cref="IsLexical"/> and use their exact TF-IDF instead.
/// </summary>
public sealed class LexicalEmbeddingGenerator : InProcessEmbeddingGenerator
{
    public const string ModelId = "lexical-hash-1024";
    // The provider name "None" in Hatch:Embeddings:Provider: with no generator, grouping falls back to these word vectors.
    public const string ProviderName = "None";
    public const int Dimensions = 1024;

    public override EmbeddingGeneratorMetadata Metadata { get; } = new(ProviderName, null, ModelId, Dimensions);

    /// <summary>True when vectors from <paramref name="generator"/> carry no more than word overlap.</summary>
    public static bool IsLexical(IEmbeddingGenerator<string, Embedding<float>>? generator) =>
        generator is null or LexicalEmbeddingGenerator
        || generator.GetService<EmbeddingGeneratorMetadata>()?.ProviderName == ProviderName;

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Embed(text)) { ModelId = ModelId });
        }
        return Task.FromResult(result);
    }

    public static float[] Embed(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var stem in Tokenizer.Stems(text)) counts[stem] = counts.GetValueOrDefault(stem) + 1;
        var vector = new float[Dimensions];
        foreach (var (stem, count) in counts)
        {
            var hash = Fnv1a(stem);
            var sign = (hash & 0x8000_0000u) == 0 ? 1f : -1f;
            vector[(int)(hash % Dimensions)] += sign * (1f + MathF.Log(count));
        }
        return VectorMath.Normalize(vector);
    }

    /// <summary>FNV-1a rather than string.GetHashCode: vectors are stored, so the hash must not change per process.</summary>
    private static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var ch in value)
        {
            hash = (hash ^ (byte)ch) * 16777619u;
            hash = (hash ^ (byte)(ch >> 8)) * 16777619u;
        }
        return hash;
    }

}
