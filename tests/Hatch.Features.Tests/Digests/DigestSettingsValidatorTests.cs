using Hatch.Domain.Digests;
using Hatch.Features.Digests;

namespace Hatch.Features.Tests.Digests;

public sealed class DigestSettingsValidatorTests
{
    private static string[] Errors(DigestSettings settings) =>
        DigestSettingsValidator.Validate(settings).Select(e => e.ToString()).ToArray();

    [Fact]
    public void TheDefaultSettingsAreValid()
    {
        Assert.Empty(Errors(new DigestSettings()));
        Assert.Empty(Errors(new DigestSettings { Enabled = true, TimeZone = "America/New_York", Cadence = DigestCadence.Daily }));
    }

    [Fact]
    public void AnUnknownTimeZoneIsNamedInTheError()
    {
        Assert.Equal(["timeZone: 'Mars/Base' is not an IANA time zone"], Errors(new DigestSettings { TimeZone = "Mars/Base" }));
    }

    [Fact]
    public void AWindowsTimeZoneNameIsNotAcceptedAlthoughLinuxCanFindIt()
    {
        Assert.Equal(["timeZone: 'Eastern Standard Time' is not an IANA time zone"],
            Errors(new DigestSettings { TimeZone = "Eastern Standard Time" }));
    }

    [Fact]
    public void AnEmptyTimeZoneIsRequired()
    {
        Assert.Equal(["timeZone: is required (an IANA time zone such as Europe/Berlin)"], Errors(new DigestSettings { TimeZone = " " }));
    }

    [Fact]
    public void ACronCadenceRequiresACronExpression()
    {
        Assert.Equal(["cron: is required when cadence is cron"], Errors(new DigestSettings { Cadence = DigestCadence.Cron }));
    }

    [Fact]
    public void ACronExpressionIsIgnoredForOtherCadences()
    {
        Assert.Empty(Errors(new DigestSettings { Cadence = DigestCadence.Weekly, Cron = "not cron" }));
    }

    [Fact]
    public void AMalformedCronExpressionIsNamedInTheError()
    {
        Assert.Equal(["cron: 'every monday' is not a cron expression (five fields: minute hour day-of-month month day-of-week)"],
            Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = "every monday" }));
        Assert.Equal(["cron: '0 25 * * *' is not a cron expression (five fields: minute hour day-of-month month day-of-week)"],
            Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = "0 25 * * *" }));
    }

    [Fact]
    public void ACronExpressionWithASecondsFieldIsRejected()
    {
        Assert.Equal(["cron: '0 0 9 * * MON' has a seconds field; use five fields (minute hour day-of-month month day-of-week)"],
            Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = "0 0 9 * * MON" }));
    }

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("*/30 9 * * *")]
    public void ACronExpressionThatRunsMoreThanHourlyIsRejected(string cron)
    {
        Assert.Equal([$"cron: '{cron}' runs more than once an hour; a digest needs at least an hour between runs"],
            Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = cron }));
    }

    [Fact]
    public void ACronExpressionThatNeverRunsIsRejected()
    {
        var errors = Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = "0 9 30 2 *" });

        Assert.Single(errors);
        Assert.StartsWith("cron: '0 9 30 2 *'", errors[0]);
    }

    [Theory]
    [InlineData("0 * * * *")]
    [InlineData("30 7 * * 1-5")]
    [InlineData("0 18 L * *")]
    [InlineData("@weekly")]
    public void UsefulCronExpressionsAreAccepted(string cron)
    {
        Assert.Empty(Errors(new DigestSettings { Cadence = DigestCadence.Cron, Cron = cron }));
    }

    [Theory]
    [InlineData(0, 40, "minNewHighlights: must be between 1 and 1000")]
    [InlineData(1001, 40, "minNewHighlights: must be between 1 and 1000")]
    [InlineData(5, 0, "maxHighlights: must be between 1 and 200")]
    [InlineData(5, 201, "maxHighlights: must be between 1 and 200")]
    public void HighlightCountsOutOfRangeAreNamed(int min, int max, string expected)
    {
        Assert.Equal([expected], Errors(new DigestSettings { MinNewHighlights = min, MaxHighlights = max }));
    }

    [Fact]
    public void AStyleMustBeOneOfTheArticleStyles()
    {
        Assert.Equal(["style: 'poem' is not a style; use essay, briefing, newsletter"], Errors(new DigestSettings { Style = "poem" }));
    }

    [Fact]
    public void ALocalTimeWithSecondsIsRejectedBecauseTheScheduleCannotKeepThem()
    {
        Assert.Equal(["localTime: '09:00:30' must be a whole minute (HH:mm)"],
            Errors(new DigestSettings { LocalTime = new TimeOnly(9, 0, 30) }));
    }

    [Fact]
    public void EveryBadFieldIsReportedAtOnceGroupedByFieldForAValidationProblem()
    {
        var errors = DigestSettingsValidator.Validate(new DigestSettings
        {
            TimeZone = "Mars/Base",
            Cadence = DigestCadence.Cron,
            MinNewHighlights = 0,
            Style = "poem",
            Language = "",
            DayOfWeek = (DayOfWeek)9,
        }).ToDictionary();

        Assert.Equal(["cron", "dayOfWeek", "timeZone", "minNewHighlights", "style", "language"], errors.Keys);
        Assert.Equal(["'Mars/Base' is not an IANA time zone"], errors["timeZone"]);
    }
}
