using Hatch.Domain.Digests;

namespace Hatch.Features.Digests;

// The rules are pure functions, but they read the reader's cron schedule through Cronos, a package, so they live
// beside DigestSchedule rather than in Hatch.Domain (which references nothing).
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
