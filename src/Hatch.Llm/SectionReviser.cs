using System.Diagnostics;
using System.Text;
using Hatch.Domain.Articles;
using Hatch.Writing.Hatching;
using Hatch.Writing.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using ChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;

namespace Hatch.Llm;

/// <summary>
/// Revises one section of a draft with the <c>Hatch/ReviseSection</c> prompt: the section, the editor's instruction
/// and the highlights it cites go in; a plain-text body comes back and is checked (not empty, cites only the
/// highlights given) with one repair round, like <see cref="KernelArticleWriter"/>. Failures are
/// <see cref="ArticleWriterException"/>s with a reason a person can act on; transient HTTP failures were already
/// retried in the model HTTP client's resilience handler.
/// </summary>
public sealed partial class SectionReviser(
    Kernel kernel,
    PromptLibrary prompts,
    LlmCallGate gate,
    IOptions<LlmOptions> options,
    TimeProvider time,
    ILogger<SectionReviser> logger) : ISectionReviser
{
    public bool IsAvailable => options.Value.Provider != LlmProvider.Extractive;

    public string Name => options.Value.Provider.ToString();

    public string ModelLabel => options.Value switch
    {
        { Provider: LlmProvider.AzureOpenAI, Model: { Length: > 0 } model } o => $"{o.Deployment} ({model})",
        { Provider: LlmProvider.AzureOpenAI } o => o.Deployment ?? "",
        var o => o.Model ?? "",
    };

    public async Task<RevisedSection> ReviseAsync(
        ArticleSection section, string instruction, string language, IReadOnlyList<NumberedHighlight> highlights, CancellationToken cancellationToken)
    {
        if (!IsAvailable)
            throw new ArticleWriterException("Revising a section needs a language model; configure Hatch:Llm:Provider.", isTransient: false);
        var o = options.Value;
        var template = prompts[PromptLibrary.ReviseSection];
        using var activity = HatchTelemetry.Source.StartActivity("hatch.llm.revise");
        activity?.SetTag("hatch.llm.provider", Name);
        activity?.SetTag("hatch.llm.model", ModelLabel);
        activity?.SetTag("hatch.prompt.template", template.Name);

        using var deadline = new CancellationTokenSource(o.RequestDeadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = time.GetTimestamp();
        var tally = new Tally();
        var allowed = highlights.Select(h => h.Number).ToHashSet();
        var numbers = string.Join(", ", allowed.Order());
        var arguments = new KernelArguments
        {
            ["language"] = ArticleLanguage.ForPrompt(language),
            ["instruction"] = ArticlePromptBuilder.Inert(instruction),
            ["section_heading"] = ArticlePromptBuilder.Inert(section.Heading),
            ["section_body"] = ArticlePromptBuilder.Inert(section.Body),
            ["highlight_numbers"] = numbers,
            ["highlights"] = ArticlePromptBuilder.FormatBlock(highlights),
        };
        try
        {
            for (var round = 0; ; round++)
            {
                var reply = await CallAsync(template, arguments, tally, linked.Token);
                if (reply.FinishReason == ChatFinishReason.ContentFilter)
                    throw new ArticleWriterException("The provider's content filter stopped the reply.", isTransient: false);
                var body = Clean(reply.Text, section.Heading);
                var errors = Check(body, reply.FinishReason, allowed, numbers, highlights);
                if (errors.Count == 0)
                {
                    var inline = Citations.Inline(body).Distinct().Order().ToArray();
                    return new RevisedSection(body, inline.Length > 0 ? inline : section.Citations.Where(allowed.Contains).ToArray(), new DraftProvenance
                    {
                        Writer = Name,
                        Model = ModelLabel,
                        Template = template.Name,
                        TemplateHash = template.Hash,
                        HighlightsConsidered = highlights.Count,
                        HighlightsUsed = highlights.Count,
                        PromptTokens = tally.PromptTokens,
                        CompletionTokens = tally.CompletionTokens,
                        LatencyMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
                        Attempts = tally.Attempts,
                        CreatedAt = time.GetUtcNow(),
                    });
                }
                if (round >= 1)
                    throw new ArticleWriterException("The model's revision was still unusable after a repair round: " + string.Join("; ", errors), isTransient: false);
                LogRepair(logger, string.Join("; ", errors));
                arguments["instruction"] = ArticlePromptBuilder.Inert(instruction)
                    + "\n(Your previous reply could not be used: " + ArticlePromptBuilder.Inert(string.Join("; ", errors))
                    + ". Reply again with the complete revised section body only.)";
            }
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ArticleWriterException($"The revision did not finish within Hatch:Llm:RequestDeadline ({o.RequestDeadline}).", isTransient: true, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ArticleWriterException)
        {
            throw LlmErrors.Describe(ex, o, tally.Attempts);
        }
    }

    private static List<string> Check(string body, ChatFinishReason? finish, IReadOnlySet<int> allowed, string numbers, IReadOnlyList<NumberedHighlight> highlights)
    {
        var errors = new List<string>();
        if (finish == ChatFinishReason.Length) errors.Add("the reply was cut off; write a shorter section");
        if (string.IsNullOrWhiteSpace(body)) errors.Add("the reply is empty");
        var bad = Citations.Inline(body).Where(n => !allowed.Contains(n)).Distinct().Order().ToArray();
        if (bad.Length > 0)
            errors.Add($"it cites [{string.Join(", ", bad)}], which {(bad.Length == 1 ? "is" : "are")} not among the highlights given; cite only {numbers}");
        // The same rule as for whole articles: a highlight asking for a link cannot put one in the section.
        var foreign = ArticleValidator.ForeignLinks(body, highlights);
        if (foreign.Count > 0) errors.Add("it " + ArticleValidator.DescribeForeignLinks(foreign));
        return errors;
    }

    /// <summary>The body only: no code fences, no "Heading:" line or repeated heading the model may have added.</summary>
    internal static string Clean(string reply, string heading)
    {
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var first = text.IndexOf('\n');
            var last = text.LastIndexOf("```", StringComparison.Ordinal);
            text = first > 0 && last > first ? text[(first + 1)..last].Trim() : text.Trim('`');
        }
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        while (lines.Count > 0 && (lines[0].TrimStart().StartsWith("Heading:", StringComparison.OrdinalIgnoreCase)
                                   || lines[0].Trim().TrimStart('#').Trim().Equals(heading.Trim(), StringComparison.OrdinalIgnoreCase)
                                   || lines[0].Trim().StartsWith("=====", StringComparison.Ordinal)))
            lines.RemoveAt(0);
        while (lines.Count > 0 && lines[^1].Trim().StartsWith("=====", StringComparison.Ordinal))
            lines.RemoveAt(lines.Count - 1);
        return string.Join('\n', lines).Trim();
    }

    private async Task<(string Text, ChatFinishReason? FinishReason)> CallAsync(PromptTemplate template, KernelArguments values, Tally tally, CancellationToken cancellationToken)
    {
        var baseSettings = template.Function.ExecutionSettings?.GetValueOrDefault(PromptExecutionSettings.DefaultServiceId);
        var settings = (OpenAIPromptExecutionSettings)OpenAIPromptExecutionSettings.FromExecutionSettings(baseSettings).Clone();
        var maxTokens = Math.Min(template.DefaultMaxTokens ?? options.Value.MaxOutputTokens, options.Value.MaxOutputTokens);
        settings.MaxTokens = maxTokens;
        var arguments = new KernelArguments(values, new Dictionary<string, PromptExecutionSettings>
        {
            [PromptExecutionSettings.DefaultServiceId] = settings,
        });

        using var activity = HatchTelemetry.Source.StartActivity("hatch.llm.call", ActivityKind.Client);
        activity?.SetTag("gen_ai.request.model", ModelLabel);
        FunctionResult result;
        var estimate = new StringBuilder().AppendJoin(' ', values.Select(v => v.Value?.ToString())).Length / 4 + maxTokens;
        using (await gate.EnterAsync(estimate, cancellationToken))
        {
            var calls = ModelCallTally.Start();
            try
            {
                result = await kernel.InvokeAsync(template.Function, arguments, cancellationToken);
            }
            finally
            {
                tally.Attempts += Math.Max(1, calls.Attempts);
            }
        }
        var reply = ModelReply.From(result, Name);
        tally.PromptTokens += reply.PromptTokens;
        tally.CompletionTokens += reply.CompletionTokens;
        return (reply.Text, reply.FinishReason);
    }

    private sealed class Tally
    {
        public int Attempts { get; set; }
        public int PromptTokens { get; set; }
        public int CompletionTokens { get; set; }
    }

    [LoggerMessage(LogLevel.Warning, "The model's section revision was unusable; asking once for a repair: {Errors}")]
    private static partial void LogRepair(ILogger logger, string errors);
}
