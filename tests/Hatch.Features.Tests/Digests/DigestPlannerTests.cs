using Hatch.Domain.Digests;
using Hatch.Features.Digests;
using Microsoft.Extensions.Time.Testing;
using static Hatch.Features.Tests.Digests.DigestTime;

namespace Hatch.Features.Tests.Digests;

public sealed class DigestPlannerTests
{
    // Mondays at 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC from 2025-03-30.
    private static readonly DigestSettings WeeklyBerlin = new()
    {
        Enabled = true, Cadence = DigestCadence.Weekly, DayOfWeek = DayOfWeek.Monday, LocalTime = new TimeOnly(9, 0), TimeZone = "Europe/Berlin",
    };

    private static readonly DigestSettings DailyUtc = new()
    {
        Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(9, 0), TimeZone = "UTC",
    };

    [Fact]
    public void ADigestStartsWhereThePreviousOneEndedAndEndsAtTheRunItIsFor()
    {
        var plan = DigestPlanner.Plan(WeeklyBerlin,
            lastPeriodEnd: Utc(2025, 3, 3, 8), enabledAt: Utc(2025, 1, 1), nextRunAt: Utc(2025, 3, 10, 8), now: Utc(2025, 3, 10, 8, 0, 40));

        Assert.Equal(new DigestPeriod(Utc(2025, 3, 3, 8), Utc(2025, 3, 10, 8)), plan.Run);
        Assert.Equal(Utc(2025, 3, 17, 8), plan.NextRunAt);
        Assert.False(plan.CatchUp);
    }

    [Fact]
    public void AFirstWeeklyDigestEnabledMidweekCoversTheWholeLastWeek()
    {
        // Enabled on Wednesday; the first Monday digest reaches back to the Monday before enabling.
        var enabledAt = Utc(2025, 3, 5, 10);
        var nextRunAt = DigestPlanner.NextRunAtFor(WeeklyBerlin, enabledAt)!.Value;

        var plan = DigestPlanner.Plan(WeeklyBerlin, lastPeriodEnd: null, enabledAt, nextRunAt, now: nextRunAt.AddSeconds(30));

        Assert.Equal(Utc(2025, 3, 10, 8), nextRunAt);
        Assert.Equal(new DigestPeriod(Utc(2025, 3, 3, 8), Utc(2025, 3, 10, 8)), plan.Run);
    }

    [Fact]
    public void AFirstDigestCoversEverythingSinceEnablingWhenThatReachesFurtherThanOnePeriod()
    {
        // Enabled weekly ten days ago, nothing written yet, then switched to daily: the first digest starts at enabling.
        var plan = DigestPlanner.Plan(DailyUtc,
            lastPeriodEnd: null, enabledAt: Utc(2025, 3, 1, 12), nextRunAt: Utc(2025, 3, 11, 9), now: Utc(2025, 3, 11, 9, 1));

        Assert.Equal(new DigestPeriod(Utc(2025, 3, 1, 12), Utc(2025, 3, 11, 9)), plan.Run);
        Assert.Equal(Utc(2025, 3, 12, 9), plan.NextRunAt);
    }

    [Fact]
    public void AfterThreeWeeksDownOneCatchUpDigestCoversTheWholeGapAndTheNextRunIsInTheFuture()
    {
        // Last digest Monday 2025-03-03; the service was down through the runs of Mar 10, 17 and 24.
        var time = new FakeTimeProvider(Utc(2025, 3, 3, 8));
        DateTimeOffset lastPeriodEnd = Utc(2025, 3, 3, 8);
        var nextRunAt = DigestSchedule.NextRunAfter(WeeklyBerlin, time.GetUtcNow());

        time.Advance(TimeSpan.FromDays(23) + TimeSpan.FromHours(4)); // back on Wednesday 2025-03-26, 12:00 UTC
        var plan = DigestPlanner.Plan(WeeklyBerlin, lastPeriodEnd, Utc(2025, 1, 1), nextRunAt, time);

        Assert.True(plan.CatchUp);
        Assert.Equal(new DigestPeriod(Utc(2025, 3, 3, 8), Utc(2025, 3, 24, 8)), plan.Run);
        Assert.True(plan.NextRunAt > time.GetUtcNow());
        Assert.Equal(Utc(2025, 3, 31, 7), plan.NextRunAt); // 09:00 CEST: summer time began on the 30th
    }

    [Fact]
    public void AFirstDigestAfterDowntimeCoversSinceEnabling()
    {
        var plan = DigestPlanner.Plan(DailyUtc,
            lastPeriodEnd: null, enabledAt: Utc(2025, 3, 1, 12), nextRunAt: Utc(2025, 3, 2, 9), now: Utc(2025, 3, 20, 15));

        Assert.True(plan.CatchUp);
        Assert.Equal(new DigestPeriod(Utc(2025, 3, 1, 12), Utc(2025, 3, 20, 9)), plan.Run);
        Assert.Equal(Utc(2025, 3, 21, 9), plan.NextRunAt);
    }

    [Fact]
    public void ARunAtExactlyItsScheduledInstantIsNotACatchUpAndMovesToTheFollowingRun()
    {
        var plan = DigestPlanner.Plan(DailyUtc, Utc(2025, 3, 9, 9), Utc(2025, 1, 1), Utc(2025, 3, 10, 9), Utc(2025, 3, 10, 9));

        Assert.False(plan.CatchUp);
        Assert.Equal(Utc(2025, 3, 10, 9), plan.Run!.End);
        Assert.Equal(Utc(2025, 3, 11, 9), plan.NextRunAt);
    }

    [Fact]
    public void AUserWhoIsNotDueYetIsLeftAlone()
    {
        var plan = DigestPlanner.Plan(DailyUtc, Utc(2025, 3, 9, 9), Utc(2025, 1, 1), nextRunAt: Utc(2025, 3, 11, 9), now: Utc(2025, 3, 10, 9, 5));

        Assert.Null(plan.Run);
        Assert.Equal(Utc(2025, 3, 11, 9), plan.NextRunAt);
    }

    [Fact]
    public void AUserWhoSwitchedDigestsOffGetsNoDigestAndNoNextRun()
    {
        var plan = DigestPlanner.Plan(DailyUtc with { Enabled = false }, null, Utc(2025, 1, 1), Utc(2025, 3, 10, 9), Utc(2025, 3, 10, 9, 1));

        Assert.Equal(new DigestPlan(null, null, false), plan);
        Assert.Null(DigestPlanner.NextRunAtFor(DailyUtc with { Enabled = false }, Utc(2025, 3, 10)));
    }

    [Fact]
    public void APeriodThatWasAlreadyDigestedIsNotPlannedAgainButTheScheduleMovesOn()
    {
        // next_run_at was not moved (a crash between the insert and the update); the period is already written.
        var plan = DigestPlanner.Plan(DailyUtc, lastPeriodEnd: Utc(2025, 3, 10, 9), Utc(2025, 1, 1), nextRunAt: Utc(2025, 3, 10, 9), now: Utc(2025, 3, 10, 9, 2));

        Assert.Null(plan.Run);
        Assert.Equal(Utc(2025, 3, 11, 9), plan.NextRunAt);
    }

    [Fact]
    public void AReaderWhoSwitchesDigestsBackOnAfterMonthsGetsOnePeriodNotEverythingSince()
    {
        var reEnabledAt = Utc(2025, 9, 3, 10);
        var nextRunAt = DigestPlanner.NextRunAtFor(WeeklyBerlin, reEnabledAt)!.Value;

        var plan = DigestPlanner.Plan(WeeklyBerlin, lastPeriodEnd: Utc(2025, 3, 3, 8), reEnabledAt, nextRunAt, nextRunAt.AddMinutes(1));

        Assert.Equal(new DigestPeriod(Utc(2025, 9, 1, 7), Utc(2025, 9, 8, 7)), plan.Run);
    }

    [Fact]
    public void ADueTimeLeftByAnEarlierScheduleIsStillHonoured()
    {
        // The reader moved from daily to weekly Mondays but next_run_at still holds Thursday's daily run.
        var plan = DigestPlanner.Plan(WeeklyBerlin, Utc(2025, 3, 12, 8), Utc(2025, 1, 1), nextRunAt: Utc(2025, 3, 13, 8), now: Utc(2025, 3, 13, 8, 1));

        Assert.Equal(new DigestPeriod(Utc(2025, 3, 12, 8), Utc(2025, 3, 13, 8)), plan.Run);
        Assert.Equal(Utc(2025, 3, 17, 8), plan.NextRunAt);
    }

    [Fact]
    public void TwoDispatchersPlanningTheSameDueRunDeriveTheSamePeriodKey()
    {
        var first = DigestPlanner.Plan(WeeklyBerlin, Utc(2025, 3, 3, 8), Utc(2025, 1, 1), Utc(2025, 3, 10, 8), Utc(2025, 3, 10, 8, 0, 5));
        var second = DigestPlanner.Plan(WeeklyBerlin, Utc(2025, 3, 3, 8), Utc(2025, 1, 1), Utc(2025, 3, 10, 8), Utc(2025, 3, 10, 8, 0, 55));

        Assert.Equal(first, second);
        Assert.Equal("2025-03-10T08:00:00Z", first.Run!.Key);
    }

    [Fact]
    public void ThePeriodKeyIsTheEndInUtcWhateverOffsetItWasGivenIn()
    {
        var end = new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.FromHours(1));

        Assert.Equal("2025-03-10T08:00:00Z", new DigestPeriod(end.AddDays(-7), end).Key);
    }

    [Fact]
    public void AHighlightOnAPeriodBoundaryBelongsToTheEarlierPeriodOnly()
    {
        var earlier = new DigestPeriod(Utc(2025, 3, 3, 8), Utc(2025, 3, 10, 8));
        var later = new DigestPeriod(Utc(2025, 3, 10, 8), Utc(2025, 3, 17, 7));

        Assert.True(earlier.Contains(Utc(2025, 3, 10, 8)));
        Assert.False(later.Contains(Utc(2025, 3, 10, 8)));
        Assert.False(earlier.Contains(Utc(2025, 3, 3, 8)));
    }
}
