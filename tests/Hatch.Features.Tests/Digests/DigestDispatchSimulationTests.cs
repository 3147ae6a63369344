using Hatch.Domain.Digests;
using Hatch.Features.Digests;
using Microsoft.Extensions.Time.Testing;
using static Hatch.Features.Tests.Digests.DigestTime;

namespace Hatch.Features.Tests.Digests;

/// <summary>
/// Drives the planner the way the dispatcher will: a clock ticking once a minute, a stored next_run_at, and a set of
/// period keys standing in for the database's unique (user, period) constraint.
/// </summary>
public sealed class DigestDispatchSimulationTests
{
    private sealed class User(DigestSettings settings, DateTimeOffset enabledAt)
    {
        public DigestSettings Settings { get; } = settings;
        public DateTimeOffset EnabledAt { get; } = enabledAt;
        public DateTimeOffset? NextRunAt { get; set; } = DigestPlanner.NextRunAtFor(settings, enabledAt);
        public DateTimeOffset? LastPeriodEnd { get; set; }
        public List<DigestPeriod> Digests { get; } = [];
        public HashSet<string> Keys { get; } = [];
        public int RejectedAsDuplicates { get; set; }
    }

    private sealed record Snapshot(DateTimeOffset? NextRunAt, DateTimeOffset? LastPeriodEnd);

    /// <summary>One dispatcher pass over a row it read as <paramref name="read"/>, writing its results to the user.</summary>
    private static void Dispatch(User user, Snapshot read, TimeProvider time)
    {
        if (read.NextRunAt is not { } due || due > time.GetUtcNow()) return;
        var plan = DigestPlanner.Plan(user.Settings, read.LastPeriodEnd, user.EnabledAt, due, time);
        if (plan.Run is { } period)
        {
            if (user.Keys.Add(period.Key))
            {
                user.Digests.Add(period);
                user.LastPeriodEnd = period.End;
            }
            else
            {
                user.RejectedAsDuplicates++;
            }
        }
        user.NextRunAt = plan.NextRunAt;
    }

    private static void RunFor(User user, FakeTimeProvider time, TimeSpan duration, Func<DateTimeOffset, bool>? down = null)
    {
        var until = time.GetUtcNow() + duration;
        while (time.GetUtcNow() < until)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            if (down?.Invoke(time.GetUtcNow()) == true) continue;
            Dispatch(user, new Snapshot(user.NextRunAt, user.LastPeriodEnd), time);
        }
    }

    private static void AssertContiguous(IReadOnlyList<DigestPeriod> digests)
    {
        for (var i = 1; i < digests.Count; i++)
            Assert.Equal(digests[i - 1].End, digests[i].Start);
    }

    [Fact]
    public void ADailyDigestInNewYorkRunsAt9LocalEveryDayAcrossSpringForwardWithNoGapsOrOverlaps()
    {
        var time = new FakeTimeProvider(Local("America/New_York", 2025, 3, 1, 7));
        var user = new User(new DigestSettings { Enabled = true, Cadence = DigestCadence.Daily, TimeZone = "America/New_York" }, time.GetUtcNow());

        RunFor(user, time, TimeSpan.FromDays(14));

        Assert.Equal(14, user.Digests.Count);
        Assert.All(user.Digests, d => Assert.Equal(new TimeSpan(9, 0, 0), d.End.InZone("America/New_York").TimeOfDay));
        Assert.Equal(Utc(2025, 3, 8, 14), user.Digests[7].End);
        Assert.Equal(Utc(2025, 3, 9, 13), user.Digests[8].End);
        Assert.Equal(TimeSpan.FromHours(23), user.Digests[8].End - user.Digests[8].Start);
        Assert.Equal(Local("America/New_York", 2025, 2, 28, 9), user.Digests[0].Start);
        AssertContiguous(user.Digests);
    }

    [Fact]
    public void AWeeklyBerlinDigestThatWasDownForThreeWeeksCatchesUpOnceAndCarriesOn()
    {
        var time = new FakeTimeProvider(Utc(2025, 9, 29));
        var settings = new DigestSettings { Enabled = true, TimeZone = "Europe/Berlin" }; // Mondays 09:00
        var user = new User(settings, time.GetUtcNow());
        var outage = (From: Utc(2025, 10, 7), To: Utc(2025, 10, 29));

        RunFor(user, time, TimeSpan.FromDays(43), now => now >= outage.From && now < outage.To);

        // Runs: Sep 29, Oct 6, then Oct 13/20/27 missed and folded into one at Oct 27, then Nov 3 and Nov 10.
        Assert.Equal(
            [Utc(2025, 9, 29, 7), Utc(2025, 10, 6, 7), Utc(2025, 10, 27, 8), Utc(2025, 11, 3, 8), Utc(2025, 11, 10, 8)],
            user.Digests.Select(d => d.End).ToArray());
        Assert.Equal(new DigestPeriod(Utc(2025, 10, 6, 7), Utc(2025, 10, 27, 8)), user.Digests[2]);
        Assert.All(user.Digests, d => Assert.Equal(new TimeSpan(9, 0, 0), d.End.InZone("Europe/Berlin").TimeOfDay));
        AssertContiguous(user.Digests);
        Assert.True(user.NextRunAt > time.GetUtcNow());
    }

    [Fact]
    public void TwoDispatchersReadingTheSameRowWriteOneDigestPerPeriod()
    {
        var time = new FakeTimeProvider(Utc(2025, 10, 25));
        var user = new User(new DigestSettings { Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(2, 30), TimeZone = "Europe/Berlin" }, time.GetUtcNow());

        var until = time.GetUtcNow() + TimeSpan.FromDays(4);
        while (time.GetUtcNow() < until)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            // Both read before either writes: the race the unique key exists for.
            var read = new Snapshot(user.NextRunAt, user.LastPeriodEnd);
            Dispatch(user, read, time);
            Dispatch(user, read, time);
        }

        // 02:30 on the fall-back day (Oct 26) happens twice on the wall clock but runs once.
        Assert.Equal(4, user.Digests.Count);
        Assert.Equal(4, user.RejectedAsDuplicates);
        Assert.Equal(Utc(2025, 10, 26, 0, 30), user.Digests[1].End);
        AssertContiguous(user.Digests);
    }

    [Fact]
    public void SkippedDigestsCarryTheirHighlightsIntoTheNextWhenOnlyWrittenDigestsAdvanceThePeriod()
    {
        var settings = new DigestSettings { Enabled = true, Cadence = DigestCadence.Daily, TimeZone = "UTC", MinNewHighlights = 5 };
        var time = new FakeTimeProvider(Utc(2025, 3, 4, 10));
        var enabledAt = time.GetUtcNow();
        // Two highlights a day from noon on the 4th: the runs of the 5th and 6th see 2 and 4 and are skipped; the 7th sees all 6.
        var added = Enumerable.Range(0, 6).Select(i => Utc(2025, 3, 4, 12).AddHours(12 * i)).ToArray();
        DateTimeOffset? lastWritten = null;
        var nextRunAt = DigestPlanner.NextRunAtFor(settings, enabledAt)!.Value;
        var outcomes = new List<string>();

        for (var day = 0; day < 3; day++)
        {
            time.SetUtcNow(nextRunAt.AddMinutes(1));
            var plan = DigestPlanner.Plan(settings, lastWritten, enabledAt, nextRunAt, time);
            var period = plan.Run!;
            var decision = DigestDecision.For(settings, period, added.Count(period.Contains));
            outcomes.Add(decision.SkipReason ?? $"written {period.Key}");
            if (decision.Runs) lastWritten = period.End;
            nextRunAt = plan.NextRunAt!.Value;
        }

        Assert.Equal(
        [
            "2 new highlights since Mar 4; the minimum is 5",
            "4 new highlights since Mar 4; the minimum is 5",
            "written 2025-03-07T09:00:00Z",
        ], outcomes);
    }
}
