using System.Threading.RateLimiting;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.Options;

namespace Hatch.Llm;

/// <summary>
/// What this process has learned about the provider, so a server that rejects json_schema or
/// max_completion_tokens costs one extra request per process rather than one per draft.
/// </summary>
public sealed class LlmRuntimeState(IOptions<LlmOptions> options)
{
    private volatile bool _jsonObjectLearned;
    private volatile bool _maxTokensLearned;

    /// <summary>Whether to ask with json_object and the schema in the prompt instead of strict json_schema.</summary>
    public bool UseJsonObject => options.Value.StructuredOutputMode switch
    {
        StructuredOutputMode.JsonObject => true,
        StructuredOutputMode.JsonSchema => false,
        _ => _jsonObjectLearned,
    };

    public bool CanFallBackToJsonObject => options.Value.StructuredOutputMode == StructuredOutputMode.Auto && !_jsonObjectLearned;

    public void LearnJsonObject() => _jsonObjectLearned = true;

    /// <summary>Whether to send the output limit as max_tokens rather than max_completion_tokens.</summary>
    public bool UseMaxTokens => options.Value.MaxTokensMode switch
    {
        MaxTokensParameter.MaxTokens => true,
        MaxTokensParameter.MaxCompletionTokens => false,
        _ => _maxTokensLearned,
    };

    public bool CanFallBackToMaxTokens => options.Value.MaxTokensMode == MaxTokensParameter.Auto && !_maxTokensLearned;

    public void LearnMaxTokens() => _maxTokensLearned = true;
}

/// <summary>
/// Admission to the model: at most MaxConcurrentCalls in flight per process, and optionally a tokens-per-minute
/// budget. Held across one call's retries so a struggling provider is not hit harder while it recovers.
/// </summary>
public sealed class LlmCallGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly int _tokenLimit;

    public LlmCallGate(IOptions<LlmOptions> options)
    {
        var o = options.Value;
        _slots = new SemaphoreSlim(o.MaxConcurrentCalls, o.MaxConcurrentCalls);
        if (o.TokensPerMinute > 0)
        {
            _tokenLimit = o.TokensPerMinute;
            // Refilled every second rather than once a minute, so a full bucket does not release a burst at :00.
            _tokens = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.TokensPerMinute,
                TokensPerPeriod = Math.Max(1, o.TokensPerMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
    }

    public int Available => _slots.CurrentCount;

    public async Task<IDisposable> EnterAsync(int estimatedTokens, CancellationToken cancellationToken)
    {
        if (_tokens is not null)
        {
            using var lease = await _tokens.AcquireAsync(Math.Clamp(estimatedTokens, 1, _tokenLimit), cancellationToken);
            if (!lease.IsAcquired)
                throw new ArticleWriterException("The tokens-per-minute limit (Hatch:Llm:TokensPerMinute) left no room for this draft.", isTransient: true);
        }
        await _slots.WaitAsync(cancellationToken);
        return new Release(_slots);
    }

    public void Dispose()
    {
        _slots.Dispose();
        _tokens?.Dispose();
    }

    private sealed class Release(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}

/// <summary>
/// Counts the HTTP attempts made on behalf of one logical model call. The retry layer sits inside the HTTP
/// client, below Semantic Kernel, so the writer learns how many attempts there were through this ambient tally.
/// </summary>
public sealed class ModelCallTally
{
    private static readonly AsyncLocal<ModelCallTally?> CurrentTally = new();
    private int _attempts;

    public static ModelCallTally? Current => CurrentTally.Value;

    public int Attempts => Volatile.Read(ref _attempts);

    public static ModelCallTally Start()
    {
        var tally = new ModelCallTally();
        CurrentTally.Value = tally;
        return tally;
    }

    internal void CountAttempt() => Interlocked.Increment(ref _attempts);
}
