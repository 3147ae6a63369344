using System.ComponentModel.DataAnnotations;

namespace Hatch.Features.Requests;

/// <summary><c>Hatch:Jobs</c>: where background jobs run and how lost ones are found.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Hatch:Jobs";

    /// <summary>Run a Hangfire worker in this process. False makes a web-only process; `--role worker` makes a worker-only one.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>Hangfire workers in this process; 0 means Hangfire's default (5 per core, at most 20).</summary>
    [Range(0, 100)]
    public int WorkerCount { get; set; }

    /// <summary>A Queued or Running request untouched for this long whose job is gone is enqueued again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A running request's Writing and Saving stages are written once they have lasted this long (zero: at once).
    /// Shorter than the status page's first poll, so a person never misses a stage they could have seen, while a
    /// run that finishes within it costs no stage writes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StageReportDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Hangfire.PostgreSql: a fetched job whose worker stopped renewing it (the process died) goes back to the queue
    /// after this long. A running worker renews it every fifth of this, so a long model call is never handed on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Hangfire.PostgreSql: how often an idle worker looks at the queue by itself. New jobs wake it at once (LISTEN/NOTIFY),
    /// but nothing announces a job whose dead worker's fetch has just expired (see <see cref="InvisibilityTimeout"/>), so
    /// with Hangfire.PostgreSql's default of 15 s a killed worker's jobs could wait that much longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A hatch of more highlights than this (all of a large library, a huge tag) starts from this many of its most
    /// central ones; the selector and the writer's token budget then choose among them.
    /// </summary>
    [Range(100, 100_000)]
    public int MaxHighlightsConsidered { get; set; } = 2000;

    /// <summary>How many orphans one sweep re-enqueues at most.</summary>
    [Range(1, 10_000)]
    public int SweepBatch { get; set; } = 200;
}
