using System.ComponentModel.DataAnnotations;

namespace Hatch.Features.Sync;

/// <summary><c>Hatch:Sync</c>: where the services are, how often Hatch asks them, and how patiently.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Hatch:Sync";

    /// <summary>How long after a sync a connection is due again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When the one dispatcher looks for due connections (Hangfire's cron, UTC).</summary>
    [Required]
    public string DispatchCron { get; set; } = "*/5 * * * *";

    /// <summary>
    /// How long a sync holds its connection without renewing (it renews after every page). A worker that dies holding
    /// it lets the next sync take over after this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tries per page for a server error or a network fault before the sync fails with the reason.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The first back-off after a server error; it doubles with each try.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest <c>Retry-After</c> a sync waits out in place; a longer one fails the sync with the reason.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rate-limited answers (429) a sync waits out per run before it stops and leaves the rest to the next one.</summary>
    [Range(1, 1000)]
    public int MaxRateLimitWaits { get; set; } = 20;

    /// <summary>How long one call to a service may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    [Required]
    public ReadwiseEndpoint Readwise { get; set; } = new() { BaseUrl = "https://readwise.io" };

    [Required]
    public HypothesisEndpoint Hypothesis { get; set; } = new() { BaseUrl = "https://api.hypothes.is" };
}

public class ServiceEndpoint
{
    /// <summary>The service's address (the public service by default; a test server or a self-hosted instance otherwise).</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "";

    /// <summary>Items asked for per page, where the service lets Hatch choose (Hypothesis: at most 200).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 200;
}

public sealed class ReadwiseEndpoint : ServiceEndpoint
{
    /// <summary>
    /// How far before the last finished run's start the next run asks for changes (<c>updatedAfter</c>). Readwise
    /// stamps <c>updated_at</c> by its own clock, Hatch the watermark by its own: the overlap absorbs the difference
    /// between the two clocks and edits made while a run was reading. What comes back unchanged is recognised and
    /// left alone.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan WatermarkOverlap { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class HypothesisEndpoint : ServiceEndpoint
{
    /// <summary>
    /// How often a sync also lists every annotation id of the account and removes what is gone upstream (the search
    /// API does not report deletions). Zero: every sync. Recorded per connection (<c>connections.ReconciledAt</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromDays(1);
}
