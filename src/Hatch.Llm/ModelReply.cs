using Hatch.Writing.Telemetry;
using Microsoft.SemanticKernel;
using OpenAI.Chat;
using ChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;

namespace Hatch.Llm;

/// <summary>What one model call returned: the text, why it stopped, and the tokens it cost.</summary>
internal sealed record ModelReply(string Text, ChatFinishReason? FinishReason, int PromptTokens, int CompletionTokens)
{
    /// <summary>Reads a Semantic Kernel function result and counts its tokens in the metrics under <paramref name="provider"/>.</summary>
    public static ModelReply From(FunctionResult result, string provider)
    {
        var message = result.GetValue<ChatMessageContent>();
        var completion = message?.InnerContent as ChatCompletion;
        var reply = new ModelReply(
            message?.Content ?? result.GetValue<string>() ?? "",
            completion?.FinishReason,
            completion?.Usage?.InputTokenCount ?? 0,
            completion?.Usage?.OutputTokenCount ?? 0);
        HatchTelemetry.RecordTokens(provider, reply.PromptTokens, reply.CompletionTokens);
        return reply;
    }
}
