using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hatch.Writing.Telemetry;

/// <summary>
/// Hatch's own trace source and meter, both named "Hatch". Static because instruments are process-wide and
/// cheap when nobody listens; exporting is decided once by AddHatchTelemetry.
/// </summary>
public static class HatchTelemetry
{
    public const string Name = "Hatch";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>("hatch.requests", description: "Drafts attempted, by writer and outcome (succeeded, invalid, failed).");
    private static readonly Histogram<double> RequestDuration =
        Meter.CreateHistogram<double>("hatch.request.duration", unit: "ms", description: "Time to draft one article, all stages.");
    private static readonly Counter<long> ModelCalls =
        Meter.CreateCounter<long>("hatch.llm.calls", description: "HTTP attempts to the language model, by provider and status.");
    private static readonly Histogram<double> ModelCallDuration =
        Meter.CreateHistogram<double>("hatch.llm.call.duration", unit: "ms", description: "Latency of one HTTP attempt to the language model.");
    private static readonly Counter<long> Tokens =
        Meter.CreateCounter<long>("hatch.llm.tokens", description: "Tokens reported by the provider, by type (prompt, completion).");

    public static void RecordRequest(string writer, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "hatch.writer", writer }, { "hatch.outcome", outcome } };
        Requests.Add(1, tags);
        RequestDuration.Record(elapsed.TotalMilliseconds, tags);
    }

    public static void RecordModelCall(string provider, string status, TimeSpan elapsed)
    {
        var tags = new TagList { { "hatch.llm.provider", provider }, { "http.response.status_code", status } };
        ModelCalls.Add(1, tags);
        ModelCallDuration.Record(elapsed.TotalMilliseconds, tags);
    }

    public static void RecordTokens(string provider, int prompt, int completion)
    {
        if (prompt > 0) Tokens.Add(prompt, new TagList { { "hatch.llm.provider", provider }, { "hatch.llm.token_type", "prompt" } });
        if (completion > 0) Tokens.Add(completion, new TagList { { "hatch.llm.provider", provider }, { "hatch.llm.token_type", "completion" } });
    }
}
