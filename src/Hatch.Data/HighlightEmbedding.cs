using System.Runtime.InteropServices;

namespace Hatch.Data;

/// <summary>
/// One highlight's vector under one embedding model. Stored as little-endian float32 bytes because pgvector is not
/// available and ranking happens in process anyway; the model id says which model made it, so a change of model
/// makes every vector count as missing and the background job recomputes them.
/// </summary>
public sealed class HighlightEmbedding
{
    public Guid HighlightId { get; set; }
    public required string ModelId { get; set; }
    public int Dimensions { get; set; }
    public required byte[] Vector { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public float[] ToVector() => MemoryMarshal.Cast<byte, float>(Vector).ToArray();

    public static HighlightEmbedding Create(Guid highlightId, string modelId, float[] vector, DateTimeOffset createdAt) => new()
    {
        HighlightId = highlightId,
        ModelId = modelId,
        Dimensions = vector.Length,
        Vector = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray(),
        CreatedAt = createdAt.ToUniversalTime(),
    };
}
