using System.Globalization;
using Cronos;
using Hatch.Domain.Digests;

namespace Hatch.Features.Digests;

/// <summary>
/// When a reader's digests run: their cadence compiled to a cron expression and evaluated by Cronos in their time zone.
/// Cronos owns the daylight-saving rules, which are:
/// <list type="bullet">
/// <item>a wall-clock time (09:00) stays at that wall-clock time on both sides of a change;</item>
/// <item>a time that does not exist on a spring-forward day (02:30) runs at the end of the gap, the first valid instant (03:00 in New York, 03:00 in Berlin);</item>
/// <item>a time that happens twice on a fall-back day (01:30) runs once, at its first (daylight) occurrence.</item>
/// </list>
/// All instants in and out are UTC-comparable <see cref="DateTimeOffset"/>s; results are returned with offset zero.
/// </summary>
public sealed class DigestSchedule
{
    private static readonly string[] CronDays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private DigestSchedule(CronExpression expression, string cronText, TimeZoneInfo timeZone)
    {
        Expression = expression;
        CronText = cronText;
        TimeZone = timeZone;
    }

    public CronExpression Expression { get; }

    /// <summary>The five-field expression the cadence compiles to: "0 9 * * *" daily, "0 9 * * MON" weekly.</summary>
    public string CronText { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// Compiles valid settings. Settings that <see cref="DigestSettingsValidator"/> rejects throw an
    /// <see cref="ArgumentException"/> carrying its messages: stored settings were validated, so this is a bug or a
    /// tz database that lost a zone, and a dispatcher should log it and move on to the next user.
    /// </summary>
    public static DigestSchedule For(DigestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = DigestSettingsValidator.Validate(settings);
        if (errors.Count > 0)
            throw new ArgumentException($"Digest settings are not valid: {string.Join("; ", errors)}", nameof(settings));

        var cron = CronTextFor(settings);
        DigestSettings.TryFindTimeZone(settings.TimeZone, out var zone);
        return new DigestSchedule(CronExpression.Parse(cron, CronFormat.Standard), cron, zone);
    }

    /// <summary>The cron expression a cadence compiles to, without validating anything else.</summary>
    public static string CronTextFor(DigestSettings settings) => settings.Cadence switch
    {
        DigestCadence.Daily => string.Create(CultureInfo.InvariantCulture,
            $"{settings.LocalTime.Minute} {settings.LocalTime.Hour} * * *"),
        DigestCadence.Weekly => string.Create(CultureInfo.InvariantCulture,
            $"{settings.LocalTime.Minute} {settings.LocalTime.Hour} * * {CronDays[(int)settings.DayOfWeek]}"),
        DigestCadence.Cron => settings.Cron?.Trim() ?? throw new ArgumentException("cron: is required when cadence is cron", nameof(settings)),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Cadence, "Unknown cadence."),
    };

    /// <summary>The first run strictly after <paramref name="instant"/>, in UTC.</summary>
    public static DateTimeOffset NextRunAfter(DigestSettings settings, DateTimeOffset instant) => For(settings).NextAfter(instant);

    /// <summary>The first run strictly after <paramref name="instant"/>, in UTC.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset instant) =>
        Expression.GetNextOccurrence(instant, TimeZone)?.ToUniversalTime()
        // Validation rejects expressions that never run; this is the one that ran out of calendar (Cronos stops at 2499).
        ?? throw new InvalidOperationException($"The digest schedule '{CronText}' has no run after {instant:O}.");

    /// <summary>The latest run at or before <paramref name="instant"/>, in UTC; null if there is none.</summary>
    public DateTimeOffset? LatestAtOrBefore(DateTimeOffset instant) =>
        Expression.GetPreviousOccurrence(instant, TimeZone, inclusive: true)?.ToUniversalTime();

    /// <summary>The latest run strictly before <paramref name="instant"/>, in UTC; null if there is none.</summary>
    public DateTimeOffset? LatestBefore(DateTimeOffset instant) =>
        Expression.GetPreviousOccurrence(instant, TimeZone, inclusive: false)?.ToUniversalTime();

    /// <summary>Runs in (<paramref name="after"/>, <paramref name="upTo"/>], in UTC, for previews ("your next five digests").</summary>
    public IEnumerable<DateTimeOffset> RunsBetween(DateTimeOffset after, DateTimeOffset upTo) =>
        Expression.GetOccurrences(after, upTo, TimeZone, fromInclusive: false, toInclusive: true).Select(o => o.ToUniversalTime());

    /// <summary>An instant as the reader's wall clock shows it.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, TimeZone);
}
