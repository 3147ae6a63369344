using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace Hatch.Llm;

/// <summary>
/// Prompt and completion text go to the log only at Debug: highlights are a reader's private material, and
/// replies can be large. Semantic Kernel filters keep this out of the writer (STYLE: cross-cutting prompt concerns).
/// </summary>
public sealed partial class PromptLoggingFilter(ILogger<PromptLoggingFilter> logger) : IPromptRenderFilter, IFunctionInvocationFilter
{
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        await next(context);
        if (logger.IsEnabled(LogLevel.Debug))
            LogPrompt(logger, context.Function.PluginName, context.Function.Name, context.RenderedPrompt ?? "");
    }

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        await next(context);
        if (logger.IsEnabled(LogLevel.Debug))
            LogCompletion(logger, context.Function.PluginName, context.Function.Name, context.Result.GetValue<string>() ?? "");
    }

    [LoggerMessage(LogLevel.Debug, "Prompt {Plugin}/{Function}:\n{Prompt}")]
    private static partial void LogPrompt(ILogger logger, string? plugin, string function, string prompt);

    [LoggerMessage(LogLevel.Debug, "Completion {Plugin}/{Function}:\n{Completion}")]
    private static partial void LogCompletion(ILogger logger, string? plugin, string function, string completion);
}
