using System.Globalization;

namespace Hatch.Core.Digests;

/// <summary>
/// The highlights one digest covers: those added in (<see cref="Start"/>, <see cref="End"/>], by the time Hatch stored
/// them (not the time they were highlighted, which an import can place years back). Both ends are UTC.
/// </summary>
public sealed record DigestPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>
    /// Identifies the period for a unique (user, period) constraint: the scheduled run it ends at, as a UTC instant
    /// ("2025-03-10T13:00:00Z"). Two dispatchers planning the same due run derive the same key, so the second insert fails.
    /// A calendar key ("2025-W11") would collide for daily digests and shift with the reader's time zone.
    /// </summary>
    public string Key => KeyFor(End);

    /// <summary>Half-open at the start, so a highlight stored exactly at a period boundary is in exactly one digest.</summary>
    public bool Contains(DateTimeOffset addedAt) => addedAt > Start && addedAt <= End;

    public static string KeyFor(DateTimeOffset end) =>
        end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a dispatcher does for one user now: run the digest for <see cref="Run"/> (null: nothing to run) and store
/// <see cref="NextRunAt"/> as the user's <c>next_run_at</c> (null: digests are off, clear it).
/// </summary>
/// <param name="CatchUp">True when runs were missed (downtime) and <see cref="Run"/> folds them into one digest.</param>
public sealed record DigestPlan(DigestPeriod? Run, DateTimeOffset? NextRunAt, bool CatchUp);

/// <summary>The scheduling rules of digests, as pure functions of the settings, the stored times and "now".</summary>
public static class DigestPlanner
{
    /// <summary>
    /// The <c>next_run_at</c> to store when settings are saved: the first run after <paramref name="now"/>, or null
    /// when digests are off. When digests go from off to on, store <paramref name="now"/> as <c>enabledAt</c> too.
    /// </summary>
    public static DateTimeOffset? NextRunAtFor(DigestSettings settings, DateTimeOffset now) =>
        settings.Enabled ? DigestSchedule.NextRunAfter(settings, now) : null;

    /// <summary>
    /// Plans a due user's digest.
    /// <list type="bullet">
    /// <item>The period ends at the latest scheduled run at or before <paramref name="now"/> (never before
    /// <paramref name="nextRunAt"/>): after downtime the missed runs become one catch-up digest, not one each.</item>
    /// <item>It starts where the previous digest ended (<paramref name="lastPeriodEnd"/>). A first digest covers
    /// highlights added since <paramref name="enabledAt"/>, or one whole period if that reaches further back, so a first
    /// weekly digest covers the last week. The same rule bounds the start after digests are switched off and on again:
    /// a reader returning after months gets one period, not everything since.</item>
    /// <item>The next run is strictly after <paramref name="now"/>.</item>
    /// </list>
    /// </summary>
    /// <param name="lastPeriodEnd">The end of the user's latest digest that was written (pass skipped ones over, so
    /// highlights too few for one digest carry into the next); null before the first.</param>
    /// <param name="enabledAt">When digests were last switched on.</param>
    /// <param name="nextRunAt">The stored <c>next_run_at</c> that made the user due.</param>
    public static DigestPlan Plan(
        DigestSettings settings, DateTimeOffset? lastPeriodEnd, DateTimeOffset enabledAt, DateTimeOffset nextRunAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // The reader may have switched digests off after the dispatcher picked them.
        if (!settings.Enabled)
            return new DigestPlan(null, null, CatchUp: false);
        // Another dispatcher already moved next_run_at on; leave it alone.
        if (nextRunAt > now)
            return new DigestPlan(null, nextRunAt.ToUniversalTime(), CatchUp: false);

        var schedule = DigestSchedule.For(settings);
        var latestDue = schedule.LatestAtOrBefore(now);
        // The stored time wins when the schedule has changed under it, so a due digest is never dropped.
        var end = latestDue is { } due && due > nextRunAt ? due : nextRunAt.ToUniversalTime();
        var catchUp = end > nextRunAt;
        var next = schedule.NextAfter(now);

        var onePeriodBack = schedule.LatestBefore(end) ?? enabledAt;
        var firstStart = Min(enabledAt, onePeriodBack);
        var start = lastPeriodEnd is { } last ? Max(last, firstStart) : firstStart;

        // A period already digested (or a schedule that starts after its own end): nothing to write, just move on.
        if (start >= end)
            return new DigestPlan(null, next, catchUp);
        return new DigestPlan(new DigestPeriod(start.ToUniversalTime(), end), next, catchUp);
    }

    /// <summary><see cref="Plan(DigestSettings, DateTimeOffset?, DateTimeOffset, DateTimeOffset, DateTimeOffset)"/> at the provider's "now".</summary>
    public static DigestPlan Plan(
        DigestSettings settings, DateTimeOffset? lastPeriodEnd, DateTimeOffset enabledAt, DateTimeOffset nextRunAt, TimeProvider time) =>
        Plan(settings, lastPeriodEnd, enabledAt, nextRunAt, time.GetUtcNow());

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
