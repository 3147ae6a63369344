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

    private static readonly Histogram<double> JobDuration =
        Meter.CreateHistogram<double>("hatch.job.duration", unit: "ms", description: "Time one Hangfire job ran, by job type and outcome.");
    private static readonly Histogram<double> StageDuration =
        Meter.CreateHistogram<double>("hatch.hatch.stage.duration", unit: "ms", description: "Time a hatch request spent in one stage (Selecting, Writing, Saving).");
    private static readonly Counter<long> Imports =
        Meter.CreateCounter<long>("hatch.imports", description: "Imports and API batches, by format.");
    private static readonly Counter<long> ImportedHighlights =
        Meter.CreateCounter<long>("hatch.imports.highlights", description: "Highlights stored by imports, by format.");
    private static readonly Counter<long> Syncs =
        Meter.CreateCounter<long>("hatch.syncs", description: "Sync runs of a connection that finished, by service.");
    private static readonly Counter<long> SyncedHighlights =
        Meter.CreateCounter<long>("hatch.syncs.highlights", description: "Highlights a sync added or changed, by service.");

    public static void RecordJob(string job, string outcome, TimeSpan elapsed) =>
        JobDuration.Record(elapsed.TotalMilliseconds, new TagList { { "hatch.job", job }, { "hatch.outcome", outcome } });

    public static void RecordStage(string stage, TimeSpan elapsed) =>
        StageDuration.Record(elapsed.TotalMilliseconds, new TagList { { "hatch.stage", stage } });

    public static void RecordImport(string format, int imported)
    {
        Imports.Add(1, new TagList { { "hatch.import.format", format } });
        if (imported > 0) ImportedHighlights.Add(imported, new TagList { { "hatch.import.format", format } });
    }

    public static void RecordSync(string service, string outcome, int highlights)
    {
        Syncs.Add(1, new TagList { { "hatch.sync.service", service }, { "hatch.outcome", outcome } });
        if (highlights > 0) SyncedHighlights.Add(highlights, new TagList { { "hatch.sync.service", service } });
    }

    /// <summary>
    /// Jobs waiting in Hangfire's queues, read by <paramref name="read"/> whenever a metrics exporter collects
    /// (<c>hatch.jobs.enqueued</c>). One reader per process: the host that owns the job storage registers it.
    /// </summary>
    public static void ObserveQueueDepth(Func<long> read)
    {
        lock (Meter)
        {
            if (_queueDepth is not null) { _readQueueDepth = read; return; }
            _readQueueDepth = read;
            _queueDepth = Meter.CreateObservableGauge("hatch.jobs.enqueued", () => _readQueueDepth?.Invoke() ?? 0,
                description: "Hangfire jobs enqueued and not yet picked up, all queues.");
        }
    }

    private static ObservableGauge<long>? _queueDepth;
    private static Func<long>? _readQueueDepth;

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
