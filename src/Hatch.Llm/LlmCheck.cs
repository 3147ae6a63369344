using Hatch.Writing.Hatching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Hatch.Llm;

/// <summary>What `hatch llm check` (and later a health endpoint) reports. Never carries the key.</summary>
public sealed record LlmCheckResult(bool Ok, string Provider, string Model, string Endpoint, long LatencyMs, int Attempts, string Said);

/// <summary>One tiny request through the same client, retries and limits the writer uses.</summary>
public sealed class LlmCheck(IServiceProvider services, IOptions<LlmOptions> options, TimeProvider time)
{
    public async Task<LlmCheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var endpoint = o.Provider switch
        {
            LlmProvider.OpenAI => string.IsNullOrWhiteSpace(o.Endpoint) ? "https://api.openai.com/v1" : o.Endpoint,
            _ => o.Endpoint ?? "",
        };
        var started = time.GetTimestamp();
        var tally = ModelCallTally.Start();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(o.RequestDeadline);
            var chat = services.GetRequiredService<IChatCompletionService>();
            var history = new ChatHistory();
            history.AddUserMessage("Reply with the single word: ready");
            var reply = await chat.GetChatMessageContentAsync(history, new OpenAIPromptExecutionSettings { MaxTokens = 16, Temperature = 0 }, cancellationToken: deadline.Token);
            return new(true, o.Provider.ToString(), o.ModelOrDeployment, endpoint, Elapsed(started), tally.Attempts, (reply.Content ?? "").Trim());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is ArticleWriterException awe ? awe.Reason : LlmErrors.Describe(ex, o, tally.Attempts).Reason;
            return new(false, o.Provider.ToString(), o.ModelOrDeployment, endpoint, Elapsed(started), tally.Attempts, reason);
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;
}
