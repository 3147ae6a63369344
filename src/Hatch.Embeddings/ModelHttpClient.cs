namespace Hatch.Embeddings;

/// <summary>
/// The named HttpClient every call to a model provider goes through, chat and embeddings alike. Hatch.Llm registers
/// it with the only retry layer (its resilience handler), so remote embeddings are retried and bounded by the same
/// Hatch:Llm settings; a host without Hatch.Llm gets a plain client.
/// </summary>
public static class ModelHttpClient
{
    public const string Name = "Hatch.Llm";
}
