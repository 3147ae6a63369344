using System.ComponentModel.DataAnnotations;

namespace Hatch.Features.Digests;

/// <summary><c>Hatch:Digests</c>: how the one recurring dispatcher finds due readers and enqueues their digests.</summary>
public sealed class DigestOptions
{
    public const string SectionName = "Hatch:Digests";

    /// <summary>When the dispatcher runs (Hangfire's cron, UTC). Every minute by default: schedules are to the minute.</summary>
    [Required]
    public string DispatchCron { get; set; } = "* * * * *";

    /// <summary>Due readers planned per transaction (and locked at once on PostgreSQL).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 2500;

    /// <summary>The most digests one pass plans; the rest wait for the next minute, so one pass never runs long.</summary>
    [Range(1, 1_000_000)]
    public int MaxPerPass { get; set; } = 50_000;

    /// <summary>Enqueues in flight at once: job storage round trips, not CPU, bound a pass.</summary>
    [Range(1, 64)]
    public int EnqueueParallelism { get; set; } = 8;

    /// <summary>
    /// A pass with more digests than this enqueues fan-out jobs of this many digests each, which enqueue the digest
    /// jobs on the workers; 0 always enqueues every digest job from the dispatcher itself.
    /// </summary>
    [Range(0, 10_000)]
    public int FanOutSize { get; set; } = 100;

    /// <summary>A Queued digest untouched for this long whose job is gone is enqueued again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromMinutes(2);
}
