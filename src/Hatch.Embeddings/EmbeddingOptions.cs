using Microsoft.Extensions.Options;

namespace Hatch.Embeddings;

/// <summary>The providers <c>Hatch:Embeddings:Provider</c> accepts.</summary>
public static class EmbeddingProviders
{
    public const string MiniLM = "MiniLM";
    public const string OpenAI = "OpenAI";
    public const string AzureOpenAI = "AzureOpenAI";
    public const string OpenAICompatible = "OpenAICompatible";
    public const string None = "None";

    public static readonly IReadOnlyList<string> All = [MiniLM, OpenAI, AzureOpenAI, OpenAICompatible, None];

    public static bool IsRemote(string provider) => provider is OpenAI or AzureOpenAI or OpenAICompatible;
}

/// <summary>
/// How highlights are turned into vectors. The remote providers reuse the endpoint and key of <c>Hatch:Llm</c>
/// (copied in by <see cref="EmbeddingServiceExtensions.AddHatchEmbeddings"/> when not set here), so one
/// provider account serves both the writer and the embeddings.
/// </summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Hatch:Embeddings";

    public string Provider { get; set; } = EmbeddingProviders.MiniLM;

    /// <summary>The embedding model (for Azure, the deployment when <see cref="Deployment"/> is unset). MiniLM ignores a null.</summary>
    public string? Model { get; set; }

    /// <summary>Requested output size for models that can shorten their vectors (text-embedding-3-*).</summary>
    public int? Dimensions { get; set; }

    /// <summary>Texts sent per model call; 16 is where MiniLM's throughput levels off on two cores.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Cosine at or above which a new highlight that also shares most of its wording is a probable duplicate.</summary>
    public double NearDuplicateThreshold { get; set; } = 0.95;

    /// <summary>
    /// Memory the in-process vector index may hold across all users (100,000 highlights of 384 dimensions take about
    /// 160 MB); the least recently used users are dropped first. 0 keeps nothing (every request reads the vectors).
    /// </summary>
    public int IndexMemoryBudgetMB { get; set; } = 512;

    /// <summary>
    /// Libraries of at least this many highlights get their ideas waiting to hatch worked out in the background (the
    /// page says so meanwhile) rather than in the request: clustering thousands of passages takes seconds.
    /// </summary>
    public int IdeasInBackgroundFrom { get; set; } = 2000;

    /// <summary>
    /// Where semantic search ranks vectors: <see cref="VectorIndexes.Memory"/> (the default, and the fallback) or
    /// <see cref="VectorIndexes.PgVector"/>, used only when PostgreSQL has the pgvector extension.
    /// </summary>
    public string Index { get; set; } = VectorIndexes.Memory;

    public string? Endpoint { get; set; }
    public string? ApiKey { get; set; }
    public string? Deployment { get; set; }
    public string? ApiVersion { get; set; }
}

/// <summary>Every message names the setting to fix, as the reader of a failed start needs.</summary>
internal sealed class EmbeddingOptionsValidator : IValidateOptions<EmbeddingOptions>
{
    private const string S = EmbeddingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, EmbeddingOptions o)
    {
        var errors = new List<string>();
        if (!EmbeddingProviders.All.Contains(o.Provider, StringComparer.Ordinal))
        {
            errors.Add($"{S}:Provider must be one of {string.Join(", ", EmbeddingProviders.All)} (got '{o.Provider}').");
            return ValidateOptionsResult.Fail(errors);
        }
        if (o.BatchSize is < 1 or > 2048)
            errors.Add($"{S}:BatchSize must be between 1 and 2048 (got {o.BatchSize}).");
        if (o.NearDuplicateThreshold is <= 0 or > 1 || double.IsNaN(o.NearDuplicateThreshold))
            errors.Add($"{S}:NearDuplicateThreshold must be greater than 0 and at most 1 (got {o.NearDuplicateThreshold}).");
        if (o.IndexMemoryBudgetMB < 0)
            errors.Add($"{S}:IndexMemoryBudgetMB must be 0 or more (got {o.IndexMemoryBudgetMB}).");
        if (o.IdeasInBackgroundFrom < 0)
            errors.Add($"{S}:IdeasInBackgroundFrom must be 0 or more (got {o.IdeasInBackgroundFrom}).");
        if (!VectorIndexes.All.Contains(o.Index, StringComparer.Ordinal))
            errors.Add($"{S}:Index must be one of {string.Join(", ", VectorIndexes.All)} (got '{o.Index}').");
        if (o.Dimensions is < 1)
            errors.Add($"{S}:Dimensions must be positive when set (got {o.Dimensions}).");

        switch (o.Provider)
        {
            case EmbeddingProviders.MiniLM:
                if (o.Model is not null && o.Model != MiniLmEmbeddingGenerator.ModelId)
                    errors.Add($"{S}:Model must be empty or '{MiniLmEmbeddingGenerator.ModelId}' for the MiniLM provider (got '{o.Model}').");
                if (o.Dimensions is not null && o.Dimensions != MiniLmEmbeddingGenerator.Dimensions)
                    errors.Add($"{S}:Dimensions must be empty or {MiniLmEmbeddingGenerator.Dimensions} for the MiniLM provider (got {o.Dimensions}).");
                break;
            case EmbeddingProviders.OpenAI or EmbeddingProviders.OpenAICompatible:
                if (string.IsNullOrWhiteSpace(o.Model))
                    errors.Add($"{S}:Model is required for the {o.Provider} provider (e.g. text-embedding-3-small).");
                if (o.Provider == EmbeddingProviders.OpenAI && string.IsNullOrWhiteSpace(o.ApiKey))
                    errors.Add($"{S}:ApiKey (or Hatch:Llm:ApiKey) is required for the OpenAI provider.");
                if (o.Provider == EmbeddingProviders.OpenAICompatible && !IsAbsoluteUri(o.Endpoint))
                    errors.Add($"{S}:Endpoint (or Hatch:Llm:Endpoint) must be an absolute URL for the OpenAICompatible provider (got '{o.Endpoint}').");
                break;
            case EmbeddingProviders.AzureOpenAI:
                if (string.IsNullOrWhiteSpace(o.Deployment) && string.IsNullOrWhiteSpace(o.Model))
                    errors.Add($"{S}:Deployment (or {S}:Model) is required for the AzureOpenAI provider.");
                if (!IsAbsoluteUri(o.Endpoint))
                    errors.Add($"{S}:Endpoint (or Hatch:Llm:Endpoint) must be an absolute URL for the AzureOpenAI provider (got '{o.Endpoint}').");
                if (string.IsNullOrWhiteSpace(o.ApiKey))
                    errors.Add($"{S}:ApiKey (or Hatch:Llm:ApiKey) is required for the AzureOpenAI provider.");
                break;
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsAbsoluteUri(string? value) => Uri.TryCreate(value, UriKind.Absolute, out _);
}

/// <summary>Values of <c>Hatch:Embeddings:Index</c>.</summary>
public static class VectorIndexes
{
    /// <summary>The default: each reader's vectors in one block in this process (Hatch.Features' VectorIndexCache).</summary>
    public const string Memory = "Memory";

    /// <summary>pgvector's HNSW index in PostgreSQL, where the server has the extension (Hatch.Features' PgVectorIndex).</summary>
    public const string PgVector = "PgVector";

    public static readonly IReadOnlyList<string> All = [Memory, PgVector];
}
