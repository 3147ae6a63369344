using Microsoft.Extensions.Options;

namespace Hatch.Llm;

/// <summary>Which writer drafts articles, and how Hatch talks to the language model behind it.</summary>
public enum LlmProvider { Extractive, OpenAI, AzureOpenAI, OpenAICompatible }

/// <summary>How the Article structure is asked for.</summary>
public enum StructuredOutputMode
{
    /// <summary>Strict json_schema first; switch to json_object for the rest of the process if the server rejects it.</summary>
    Auto,
    JsonSchema,
    JsonObject,
}

/// <summary>How a model drafts: one call, or a plan, a write and (when the check finds unsupported sentences) a repair.</summary>
public enum DraftingPipeline
{
    /// <summary>One call writes the Article, as before issue 16.</summary>
    Single,
    /// <summary>Plan (thesis, sections, advice seeds as strict JSON), write from the plan, check, repair what is unsupported.</summary>
    Planned,
}

/// <summary>Which request field carries the output limit. SK sends max_completion_tokens; some compatible servers want max_tokens.</summary>
public enum MaxTokensParameter { Auto, MaxCompletionTokens, MaxTokens }

/// <summary>Settings under <c>Hatch:Llm</c>. Secrets (ApiKey) come from environment variables or user-secrets only.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Hatch:Llm";

    public LlmProvider Provider { get; set; } = LlmProvider.Extractive;

    /// <summary>The model id (OpenAI, compatible servers); for Azure the model behind the deployment, used for provenance only.</summary>
    public string? Model { get; set; }

    /// <summary>The base URL: Azure resource endpoint, or a compatible server's base (e.g. http://localhost:11434/v1).</summary>
    public string? Endpoint { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Azure OpenAI deployment name.</summary>
    public string? Deployment { get; set; }

    /// <summary>Azure OpenAI api-version; empty uses the connector's default.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>OpenAI organization id (optional).</summary>
    public string? Organization { get; set; }

    /// <summary>The model's context window in tokens: prompt plus output must fit.</summary>
    public int ContextTokens { get; set; } = 128_000;

    /// <summary>The output budget for one draft; reserved out of <see cref="ContextTokens"/>.</summary>
    public int MaxOutputTokens { get; set; } = 4_096;

    /// <summary>o200k_base (GPT-4o family and later) or cl100k_base (GPT-4/3.5 and many compatible models).</summary>
    public string Tokenizer { get; set; } = "o200k_base";

    /// <summary>auto, json_schema or json_object (see <see cref="StructuredOutputMode"/>).</summary>
    public string StructuredOutput { get; set; } = "auto";

    /// <summary>auto, max_completion_tokens or max_tokens (see <see cref="MaxTokensParameter"/>).</summary>
    public string MaxTokensParameter { get; set; } = "auto";

    /// <summary>
    /// Single or Planned (see <see cref="DraftingPipeline"/>); empty means Planned when a model provider is configured.
    /// </summary>
    public string Pipeline { get; set; } = "";

    /// <summary>One HTTP attempt to the model; an attempt that takes longer is abandoned and retried.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Everything for one draft (all attempts, repair, waiting for a slot); then the draft fails.</summary>
    public TimeSpan RequestDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Model calls in flight at once in this process.</summary>
    public int MaxConcurrentCalls { get; set; } = 8;

    /// <summary>Optional tokens-per-minute budget (prompt estimate + output budget per call); 0 means no limit.</summary>
    public int TokensPerMinute { get; set; }

    /// <summary>Retries of one call after a transient failure (429, 5xx, timeout, dropped connection).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff; doubled per retry, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest single wait, also the cap on a server's Retry-After.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    internal StructuredOutputMode StructuredOutputMode => StructuredOutput.ToLowerInvariant() switch
    {
        "json_schema" => StructuredOutputMode.JsonSchema,
        "json_object" => StructuredOutputMode.JsonObject,
        _ => StructuredOutputMode.Auto,
    };

    internal MaxTokensParameter MaxTokensMode => MaxTokensParameter.ToLowerInvariant() switch
    {
        "max_completion_tokens" => Hatch.Llm.MaxTokensParameter.MaxCompletionTokens,
        "max_tokens" => Hatch.Llm.MaxTokensParameter.MaxTokens,
        _ => Hatch.Llm.MaxTokensParameter.Auto,
    };

    /// <summary>The pipeline in force: the setting, else Planned for a model (the extractive writer makes no calls).</summary>
    public DraftingPipeline PipelineMode => (Pipeline ?? "").Trim().ToLowerInvariant() switch
    {
        "single" => DraftingPipeline.Single,
        "planned" => DraftingPipeline.Planned,
        _ => Provider == LlmProvider.Extractive ? DraftingPipeline.Single : DraftingPipeline.Planned,
    };

    /// <summary>The name recorded as the writer in provenance and shown by `hatch llm check`.</summary>
    public string ModelOrDeployment => Provider == LlmProvider.AzureOpenAI ? Deployment ?? "" : Model ?? "";
}

/// <summary>
/// Checks the settings at start so a wrong one stops the app with a message that names it, rather than
/// failing on the first draft. Messages use the configuration path, which is what a person edits.
/// </summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    private const string P = LlmOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, LlmOptions o)
    {
        var errors = new List<string>();
        var provider = $"{P}Provider is {o.Provider}";
        switch (o.Provider)
        {
            case LlmProvider.Extractive:
                return ValidateOptionsResult.Success;
            case LlmProvider.OpenAI:
                Require(errors, o.ApiKey, "ApiKey", provider, " (set it with the environment variable Hatch__Llm__ApiKey or user-secrets)");
                Require(errors, o.Model, "Model", provider);
                if (!string.IsNullOrWhiteSpace(o.Endpoint) && !IsHttpUrl(o.Endpoint))
                    errors.Add($"{P}Endpoint must be an http(s) URL, got '{o.Endpoint}'");
                break;
            case LlmProvider.AzureOpenAI:
                Require(errors, o.Endpoint, "Endpoint", provider, " (e.g. https://NAME.openai.azure.com)");
                Require(errors, o.Deployment, "Deployment", provider);
                Require(errors, o.ApiKey, "ApiKey", provider, " (set it with the environment variable Hatch__Llm__ApiKey or user-secrets)");
                if (!string.IsNullOrWhiteSpace(o.Endpoint) && !IsHttpUrl(o.Endpoint))
                    errors.Add($"{P}Endpoint must be an http(s) URL, got '{o.Endpoint}'");
                break;
            case LlmProvider.OpenAICompatible:
                Require(errors, o.Endpoint, "Endpoint", provider, " (the server's base URL, e.g. http://localhost:11434/v1)");
                Require(errors, o.Model, "Model", provider);
                if (!string.IsNullOrWhiteSpace(o.Endpoint) && !IsHttpUrl(o.Endpoint))
                    errors.Add($"{P}Endpoint must be an http(s) URL, got '{o.Endpoint}'");
                break;
            default:
                errors.Add($"{P}Provider must be one of Extractive, OpenAI, AzureOpenAI, OpenAICompatible");
                break;
        }

        if (o.Tokenizer is not ("o200k_base" or "cl100k_base"))
            errors.Add($"{P}Tokenizer must be o200k_base or cl100k_base, got '{o.Tokenizer}'");
        if (o.StructuredOutput.ToLowerInvariant() is not ("auto" or "json_schema" or "json_object"))
            errors.Add($"{P}StructuredOutput must be auto, json_schema or json_object, got '{o.StructuredOutput}'");
        if (o.MaxTokensParameter.ToLowerInvariant() is not ("auto" or "max_completion_tokens" or "max_tokens"))
            errors.Add($"{P}MaxTokensParameter must be auto, max_completion_tokens or max_tokens, got '{o.MaxTokensParameter}'");
        if ((o.Pipeline ?? "").Trim().ToLowerInvariant() is not ("" or "single" or "planned"))
            errors.Add($"{P}Pipeline must be Single or Planned, got '{o.Pipeline}'");
        if (o.ContextTokens < 1_024)
            errors.Add($"{P}ContextTokens must be at least 1024, got {o.ContextTokens}");
        if (o.MaxOutputTokens < 256)
            errors.Add($"{P}MaxOutputTokens must be at least 256, got {o.MaxOutputTokens}");
        else if (o.MaxOutputTokens * 3 > o.ContextTokens)
            errors.Add($"{P}MaxOutputTokens ({o.MaxOutputTokens}) leaves too little of {P}ContextTokens ({o.ContextTokens}) for the highlights; it may be at most a third");
        Positive(errors, o.CallTimeout, "CallTimeout");
        Positive(errors, o.RequestDeadline, "RequestDeadline");
        Positive(errors, o.RetryMaxDelay, "RetryMaxDelay");
        if (o.RetryBaseDelay <= TimeSpan.Zero)
            errors.Add($"{P}RetryBaseDelay must be positive, got {o.RetryBaseDelay}");
        if (o.MaxConcurrentCalls < 1)
            errors.Add($"{P}MaxConcurrentCalls must be at least 1, got {o.MaxConcurrentCalls}");
        if (o.TokensPerMinute < 0)
            errors.Add($"{P}TokensPerMinute must be 0 (no limit) or positive, got {o.TokensPerMinute}");
        if (o.MaxRetries is < 0 or > 10)
            errors.Add($"{P}MaxRetries must be between 0 and 10, got {o.MaxRetries}");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Require(List<string> errors, string? value, string key, string provider, string hint = "")
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add($"{P}{key} is required when {provider}{hint}");
    }

    private static void Positive(List<string> errors, TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
            errors.Add($"{P}{key} must be positive, got {value}");
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>Where the prompt files are: <c>Hatch:Prompts:Path</c>, else the copy beside the binary, else the repository's.</summary>
public sealed class PromptOptions
{
    public const string SectionName = "Hatch:Prompts";

    public string? Path { get; set; }
}
