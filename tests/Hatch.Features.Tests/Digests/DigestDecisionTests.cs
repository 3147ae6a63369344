using Hatch.Domain.Digests;
using static Hatch.Features.Tests.Digests.DigestTime;

namespace Hatch.Features.Tests.Digests;

public sealed class DigestDecisionTests
{
    private static readonly DigestSettings Berlin = new() { Enabled = true, TimeZone = "Europe/Berlin", MinNewHighlights = 5 };

    [Fact]
    public void TooFewNewHighlightsSkipTheDigestWithAReadableReason()
    {
        var period = new DigestPeriod(Local("Europe/Berlin", 2025, 3, 4, 9), Local("Europe/Berlin", 2025, 3, 11, 9));

        var decision = DigestDecision.For(Berlin, period, newHighlights: 3);

        Assert.False(decision.Runs);
        Assert.Equal("3 new highlights since Mar 4; the minimum is 5", decision.SkipReason);
    }

    [Fact]
    public void OneNewHighlightIsSingular()
    {
        var period = new DigestPeriod(Utc(2025, 3, 4, 9), Utc(2025, 3, 11, 9));

        Assert.Equal("1 new highlight since Mar 4; the minimum is 5", DigestDecision.For(Berlin, period, 1).SkipReason);
        Assert.Equal("0 new highlights since Mar 4; the minimum is 5", DigestDecision.For(Berlin, period, 0).SkipReason);
    }

    [Fact]
    public void TheMinimumItselfIsEnoughAndMoreThanTheMaximumStillRuns()
    {
        var period = new DigestPeriod(Utc(2025, 3, 4, 9), Utc(2025, 3, 11, 9));

        Assert.Equal(DigestDecision.Run, DigestDecision.For(Berlin, period, 5));
        Assert.Equal(DigestDecision.Run, DigestDecision.For(Berlin, period, 500));
    }

    [Fact]
    public void TheReasonNamesTheStartAsTheReadersCalendarShowsIt()
    {
        // 20:00 UTC on Mar 3 is already Mar 4 in Kolkata.
        var settings = Berlin with { TimeZone = "Asia/Kolkata" };
        var period = new DigestPeriod(Utc(2025, 3, 3, 20), Utc(2025, 3, 10, 20));

        Assert.Equal("2 new highlights since Mar 4; the minimum is 5", DigestDecision.For(settings, period, 2).SkipReason);
    }

    [Fact]
    public void TheReasonNamesTheYearWhenThePeriodStartedInAnEarlierOne()
    {
        var period = new DigestPeriod(Utc(2024, 12, 30, 9), Utc(2025, 1, 6, 9));

        Assert.Equal("4 new highlights since Dec 30, 2024; the minimum is 5", DigestDecision.For(Berlin, period, 4).SkipReason);
    }
}
