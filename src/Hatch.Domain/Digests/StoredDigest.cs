using System.Text.Json;
using Hatch.Domain.Hatching;

namespace Hatch.Domain.Digests;

/// <summary>
/// A reader's digest settings (table digest_settings) and the dispatcher's bookkeeping beside them. The settings are
/// kept whole as JSON, in the API's shape; <see cref="Enabled"/> and <see cref="NextRunAt"/> are columns because the
/// dispatcher queries them (an index on next_run_at finds the due readers among any number).
/// </summary>
public sealed class StoredDigestSettings
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public required string UserId { get; set; }
    public required string SettingsJson { get; set; }
    public bool Enabled { get; set; }
    /// <summary>When digests were last switched from off to on; a first digest reaches back to here (or one period).</summary>
    public DateTimeOffset? EnabledAt { get; set; }
    /// <summary>The next scheduled run; null while digests are off. The dispatcher moves it on in the transaction that plans a digest.</summary>
    public DateTimeOffset? NextRunAt { get; set; }
    /// <summary>The end of the latest digest that is written (or being written), not skipped: the next period starts here.</summary>
    public DateTimeOffset? LastPeriodEnd { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>SHA-256 (hex) of the reader's private feed token; the token itself is shown once and never stored.</summary>
    public string? FeedTokenHash { get; set; }

    public DigestSettings Settings => JsonSerializer.Deserialize<DigestSettings>(SettingsJson, Json)
        ?? throw new InvalidDataException($"The digest settings of user {UserId} are empty.");

    /// <summary>
    /// Stores new (valid) settings: switching on records <see cref="EnabledAt"/>, and <paramref name="nextRunAt"/> (the
    /// schedule's next run, null when digests are off) is stored so a changed schedule takes effect at once.
    /// </summary>
    public void Apply(DigestSettings settings, DateTimeOffset? nextRunAt, DateTimeOffset now)
    {
        if (settings.Enabled && !Enabled) EnabledAt = now.ToUniversalTime();
        SettingsJson = JsonSerializer.Serialize(settings, Json);
        Enabled = settings.Enabled;
        NextRunAt = settings.Enabled ? nextRunAt?.ToUniversalTime() : null;
        UpdatedAt = now.ToUniversalTime();
    }

    public static StoredDigestSettings For(string userId, DigestSettings settings, DateTimeOffset? nextRunAt, DateTimeOffset now)
    {
        var stored = new StoredDigestSettings { UserId = userId, SettingsJson = "{}" };
        stored.Apply(settings, nextRunAt, now);
        return stored;
    }
}

/// <summary>A digest's state as the reader sees it in <c>GET /api/digests</c>.</summary>
public enum DigestStatus { Queued, Running, Succeeded, Failed, Skipped }

/// <summary>
/// One planned digest (table digests): a reader's period, at most one per (user, period key), so two dispatchers that
/// plan the same due run cannot both write it. Its job either records a skip with the reason or hands the period's
/// highlights to a <see cref="HatchRequest"/>, whose status, draft and error the digest then reports.
/// </summary>
public sealed class StoredDigest
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public DateTimeOffset PeriodEnd { get; set; }
    /// <summary><see cref="DigestPeriod.Key"/>; unique per user.</summary>
    public required string PeriodKey { get; set; }
    public bool CatchUp { get; set; }
    public DigestStatus Status { get; set; }
    public string? SkipReason { get; set; }
    public string? Error { get; set; }
    /// <summary>How many highlights were added in the period, counted when the digest job ran.</summary>
    public int? NewHighlights { get; set; }
    /// <summary>The background job last enqueued for this digest; the sweeper checks it is still alive.</summary>
    public string? JobId { get; set; }
    public Guid? RequestId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public DigestPeriod Period => new(PeriodStart, PeriodEnd);

    public static StoredDigest Plan(string userId, DigestPeriod period, bool catchUp, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        UserId = userId,
        PeriodStart = period.Start.ToUniversalTime(),
        PeriodEnd = period.End.ToUniversalTime(),
        PeriodKey = period.Key,
        CatchUp = catchUp,
        Status = DigestStatus.Queued,
        CreatedAt = now.ToUniversalTime(),
        UpdatedAt = now.ToUniversalTime(),
    };
}
