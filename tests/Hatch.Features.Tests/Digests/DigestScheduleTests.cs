using Hatch.Domain.Digests;
using Hatch.Features.Digests;
using static Hatch.Features.Tests.Digests.DigestTime;

namespace Hatch.Features.Tests.Digests;

public sealed class DigestScheduleTests
{
    private static DigestSettings Daily(string zone, int hour, int minute = 0) =>
        new() { Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(hour, minute), TimeZone = zone };

    private static DigestSettings Weekly(string zone, DayOfWeek day, int hour, int minute = 0) =>
        new() { Enabled = true, Cadence = DigestCadence.Weekly, DayOfWeek = day, LocalTime = new TimeOnly(hour, minute), TimeZone = zone };

    private static DigestSettings Cron(string zone, string cron) =>
        new() { Enabled = true, Cadence = DigestCadence.Cron, Cron = cron, TimeZone = zone };

    [Fact]
    public void DailyAndWeeklyCadencesCompileToCronExpressions()
    {
        Assert.Equal("0 9 * * *", DigestSchedule.For(Daily("UTC", 9)).CronText);
        Assert.Equal("0 9 * * MON", DigestSchedule.For(Weekly("UTC", DayOfWeek.Monday, 9)).CronText);
        Assert.Equal("45 18 * * SUN", DigestSchedule.For(Weekly("UTC", DayOfWeek.Sunday, 18, 45)).CronText);
        Assert.Equal("30 7 * * 1-5", DigestSchedule.For(Cron("UTC", " 30 7 * * 1-5 ")).CronText);
    }

    [Fact]
    public void ADailyDigestRunsAtTheNextLocalTimeAndReturnsUtc()
    {
        var next = DigestSchedule.NextRunAfter(Daily("Europe/Berlin", 9), Utc(2025, 1, 15, 10));

        Assert.Equal(Utc(2025, 1, 16, 8), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Fact]
    public void TheNextRunIsStrictlyAfterTheInstantEvenWhenTheInstantIsARun()
    {
        var settings = Daily("UTC", 9);

        Assert.Equal(Utc(2025, 1, 16, 9), DigestSchedule.NextRunAfter(settings, Utc(2025, 1, 15, 9)));
        Assert.Equal(Utc(2025, 1, 15, 9), DigestSchedule.NextRunAfter(settings, Utc(2025, 1, 15, 8, 59, 59)));
    }

    [Fact]
    public void AWeeklyDigestRunsOnItsDayInTheReadersZone()
    {
        // Wednesday 2025-01-15 in New York; the next Monday 09:00 EST is 14:00 UTC.
        var next = DigestSchedule.NextRunAfter(Weekly("America/New_York", DayOfWeek.Monday, 9), Utc(2025, 1, 15, 12));

        Assert.Equal(Utc(2025, 1, 20, 14), next);
    }

    [Fact]
    public void AHalfHourZoneKeepsItsHalfHour()
    {
        // 09:00 IST is 03:30 UTC all year: India has no daylight saving.
        var schedule = DigestSchedule.For(Daily("Asia/Kolkata", 9));

        Assert.Equal(Utc(2025, 3, 10, 3, 30), schedule.NextAfter(Utc(2025, 3, 9, 4)));
        Assert.Equal(Utc(2025, 7, 10, 3, 30), schedule.NextAfter(Utc(2025, 7, 9, 4)));
    }

    [Fact]
    public void ACronCadenceUsesTheReadersExpressionInTheirZone()
    {
        // Weekdays at 07:30 in Kolkata; from Friday 2025-01-17 08:00 IST the next is Monday.
        var schedule = DigestSchedule.For(Cron("Asia/Kolkata", "30 7 * * 1-5"));

        var runs = schedule.RunsBetween(Utc(2025, 1, 17, 2, 30), Utc(2025, 1, 22)).ToArray();

        Assert.Equal([Utc(2025, 1, 20, 2), Utc(2025, 1, 21, 2)], runs);
    }

    [Fact]
    public void AMonthlyCronRunsOnTheLastDayOfEachMonth()
    {
        var schedule = DigestSchedule.For(Cron("Europe/Berlin", "0 18 L * *"));

        Assert.Equal(Local("Europe/Berlin", 2025, 2, 28, 18), schedule.NextAfter(Utc(2025, 2, 1)));
        Assert.Equal(Local("Europe/Berlin", 2025, 3, 31, 18), schedule.NextAfter(Local("Europe/Berlin", 2025, 2, 28, 18)));
    }

    [Fact]
    public void AWeeklyNineOClockDigestStaysAtNineLocalAcrossTheUsSpringForward()
    {
        var schedule = DigestSchedule.For(Weekly("America/New_York", DayOfWeek.Monday, 9));

        var before = schedule.NextAfter(Utc(2025, 3, 1));
        var after = schedule.NextAfter(before);

        Assert.Equal(Utc(2025, 3, 3, 14), before); // EST, UTC-5
        Assert.Equal(Utc(2025, 3, 10, 13), after); // EDT, UTC-4: the clocks moved on 2025-03-09
        Assert.Equal(new TimeSpan(9, 0, 0), before.InZone("America/New_York").TimeOfDay);
        Assert.Equal(new TimeSpan(9, 0, 0), after.InZone("America/New_York").TimeOfDay);
        Assert.Equal(TimeSpan.FromHours(167), after - before);
    }

    [Fact]
    public void AWeeklyNineOClockDigestStaysAtNineLocalAcrossTheUsFallBack()
    {
        var schedule = DigestSchedule.For(Weekly("America/New_York", DayOfWeek.Monday, 9));

        var before = schedule.NextAfter(Utc(2025, 10, 26));
        var after = schedule.NextAfter(before);

        Assert.Equal(Utc(2025, 10, 27, 13), before);
        Assert.Equal(Utc(2025, 11, 3, 14), after);
        Assert.Equal(TimeSpan.FromHours(169), after - before);
    }

    [Fact]
    public void ADailyNineOClockDigestStaysAtNineLocalAcrossBothEuChanges()
    {
        var schedule = DigestSchedule.For(Daily("Europe/Berlin", 9));

        Assert.Equal(
            [Utc(2025, 3, 29, 8), Utc(2025, 3, 30, 7), Utc(2025, 3, 31, 7)],
            schedule.RunsBetween(Utc(2025, 3, 29), Utc(2025, 3, 31, 12)).ToArray());
        Assert.Equal(
            [Utc(2025, 10, 25, 7), Utc(2025, 10, 26, 8), Utc(2025, 10, 27, 8)],
            schedule.RunsBetween(Utc(2025, 10, 25), Utc(2025, 10, 27, 12)).ToArray());
    }

    [Fact]
    public void ATimeThatDoesNotExistOnTheUsSpringForwardDayRunsWhenTheClocksJumpTo3am()
    {
        // 2025-03-09 in New York: 02:00 EST becomes 03:00 EDT, so 02:30 never happens that day.
        var schedule = DigestSchedule.For(Daily("America/New_York", 2, 30));

        var runs = schedule.RunsBetween(Utc(2025, 3, 8), Utc(2025, 3, 10, 12)).ToArray();

        Assert.Equal([Utc(2025, 3, 8, 7, 30), Utc(2025, 3, 9, 7), Utc(2025, 3, 10, 6, 30)], runs);
        Assert.Equal(new DateTime(2025, 3, 9, 3, 0, 0), runs[1].InZone("America/New_York").DateTime);
        Assert.Equal(new TimeSpan(2, 30, 0), runs[2].InZone("America/New_York").TimeOfDay);
    }

    [Fact]
    public void ATimeThatDoesNotExistOnTheEuSpringForwardDayRunsWhenTheClocksJumpTo3am()
    {
        var schedule = DigestSchedule.For(Weekly("Europe/Berlin", DayOfWeek.Sunday, 2, 30));

        var run = schedule.NextAfter(Utc(2025, 3, 29));

        Assert.Equal(Utc(2025, 3, 30, 1), run);
        Assert.Equal(new DateTime(2025, 3, 30, 3, 0, 0), run.InZone("Europe/Berlin").DateTime);
    }

    [Fact]
    public void ATimeThatHappensTwiceOnTheUsFallBackDayRunsOnceAtItsFirstOccurrence()
    {
        // 2025-11-02 in New York: 01:30 EDT (05:30 UTC), then 01:30 EST (06:30 UTC).
        var schedule = DigestSchedule.For(Daily("America/New_York", 1, 30));

        var runs = schedule.RunsBetween(Utc(2025, 11, 1, 12), Utc(2025, 11, 3, 12)).ToArray();

        Assert.Equal([Utc(2025, 11, 2, 5, 30), Utc(2025, 11, 3, 6, 30)], runs);
        Assert.Equal(Utc(2025, 11, 3, 6, 30), schedule.NextAfter(Utc(2025, 11, 2, 5, 30)));
    }

    [Fact]
    public void ATimeThatHappensTwiceOnTheEuFallBackDayRunsOnce()
    {
        // 2025-10-26 in Berlin: 02:30 CEST (00:30 UTC), then 02:30 CET (01:30 UTC).
        var schedule = DigestSchedule.For(Daily("Europe/Berlin", 2, 30));

        var runs = schedule.RunsBetween(Utc(2025, 10, 25, 12), Utc(2025, 10, 26, 12)).ToArray();

        Assert.Equal([Utc(2025, 10, 26, 0, 30)], runs);
    }

    [Fact]
    public void LordHowesHalfHourSpringForwardMovesAMissingTimeToTheEndOfTheGap()
    {
        // 2025-10-05 on Lord Howe Island: 02:00 (+10:30) becomes 02:30 (+11), so 02:15 never happens.
        var schedule = DigestSchedule.For(Daily("Australia/Lord_Howe", 2, 15));

        var run = schedule.NextAfter(Utc(2025, 10, 4, 12));

        Assert.Equal(new DateTime(2025, 10, 5, 2, 30, 0), run.InZone("Australia/Lord_Howe").DateTime);
        Assert.Equal(Utc(2025, 10, 4, 15, 30), run);
    }

    [Fact]
    public void TheLatestRunBeforeAnInstantCrossesADstChangeToo()
    {
        var schedule = DigestSchedule.For(Weekly("America/New_York", DayOfWeek.Monday, 9));

        Assert.Equal(Utc(2025, 3, 3, 14), schedule.LatestBefore(Utc(2025, 3, 10, 13)));
        Assert.Equal(Utc(2025, 3, 10, 13), schedule.LatestAtOrBefore(Utc(2025, 3, 10, 13)));
    }

    [Fact]
    public void InvalidSettingsCannotBeCompiledIntoASchedule()
    {
        var ex = Assert.Throws<ArgumentException>(() => DigestSchedule.For(new DigestSettings { TimeZone = "Mars/Base" }));

        Assert.Contains("timeZone: 'Mars/Base' is not an IANA time zone", ex.Message);
    }
}
