using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hatch.Writing.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Llm;

/// <summary>
/// The innermost handler of the model HTTP client, so it sees every attempt the retry layer makes:
/// counts attempts and their outcome, and adapts the output-limit field for servers that only know max_tokens.
/// </summary>
public sealed partial class ModelCallHandler(LlmRuntimeState state, IOptions<LlmOptions> options, ILogger<ModelCallHandler> logger)
    : DelegatingHandler
{
    private const string CompletionField = "max_completion_tokens";
    private const string LegacyField = "max_tokens";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        if (request.Method == HttpMethod.Post && request.Content is not null)
        {
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            if (state.UseMaxTokens)
                request.Content = RenameLimit(body, request.Content.Headers);
        }

        var response = await SendCountedAsync(request, cancellationToken);

        // A compatible server that does not know max_completion_tokens says so in a 400; switch this process to
        // max_tokens and resend once. This is protocol negotiation, not a retry: the first request never ran.
        if (response.StatusCode == HttpStatusCode.BadRequest && body is not null && state.CanFallBackToMaxTokens
            && ContainsField(body, CompletionField))
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Contains(CompletionField, StringComparison.OrdinalIgnoreCase))
            {
                state.LearnMaxTokens();
                LogMaxTokensFallback(logger, options.Value.Provider);
                response.Dispose();
                request.Content = RenameLimit(body, null);
                response = await SendCountedAsync(request, cancellationToken);
            }
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendCountedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ModelCallTally.Current?.CountAttempt();
        var provider = options.Value.Provider.ToString();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            HatchTelemetry.RecordModelCall(provider, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            HatchTelemetry.RecordModelCall(provider, ex is OperationCanceledException ? "timeout" : "error", Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    private static bool ContainsField(byte[] body, string field) =>
        body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("\"" + field + "\"")) >= 0;

    private static ByteArrayContent RenameLimit(byte[] body, HttpContentHeaders? headers)
    {
        var bytes = body;
        if (ContainsField(body, CompletionField) && JsonNode.Parse(body) is JsonObject json
            && json.Remove(CompletionField, out var value))
        {
            json[LegacyField] = value;
            bytes = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = headers?.ContentType ?? new MediaTypeHeaderValue("application/json");
        return content;
    }

    [LoggerMessage(LogLevel.Warning, "The {Provider} server rejected max_completion_tokens; this process sends max_tokens from now on (set Hatch:Llm:MaxTokensParameter to skip the probe)")]
    private static partial void LogMaxTokensFallback(ILogger logger, LlmProvider provider);
}
