using System.Text.Json;
using Hatch.Domain.Digests;

namespace Hatch.Domain.Tests.Digests;

public sealed class DigestSettingsJsonTests
{
    private static readonly JsonSerializerOptions Web = JsonSerializerOptions.Web;

    [Fact]
    public void DefaultSettingsSerializeToTheApiShapeWithItsExactPropertyNames()
    {
        var json = JsonSerializer.Serialize(new DigestSettings(), Web);

        Assert.Equal(
            """{"enabled":false,"cadence":"weekly","cron":null,"localTime":"09:00","dayOfWeek":"Monday","timeZone":"UTC","minNewHighlights":5,"maxHighlights":40,"style":"essay","language":"en","submitForReview":false,"delivery":"both"}""",
            json);
    }

    [Fact]
    public void SettingsSurviveARoundTripThroughJson()
    {
        var settings = new DigestSettings
        {
            Enabled = true,
            Cadence = DigestCadence.Cron,
            Cron = "30 7 * * 1-5",
            LocalTime = new TimeOnly(7, 30),
            DayOfWeek = DayOfWeek.Friday,
            TimeZone = "Asia/Kolkata",
            MinNewHighlights = 3,
            MaxHighlights = 25,
            Style = "briefing",
            Language = "de",
            SubmitForReview = true,
        };

        var back = JsonSerializer.Deserialize<DigestSettings>(JsonSerializer.Serialize(settings, Web), Web);

        Assert.Equal(settings, back);
    }

    [Fact]
    public void ABodyAsTheSettingsPageSendsItIsRead()
    {
        const string body = """
            {"enabled":true,"cadence":"daily","cron":null,"localTime":"7:05","dayOfWeek":"Sunday","timeZone":"Europe/Berlin",
             "minNewHighlights":1,"maxHighlights":10,"style":"newsletter","language":"fr","submitForReview":true}
            """;

        var settings = JsonSerializer.Deserialize<DigestSettings>(body, Web)!;

        Assert.True(settings.Enabled);
        Assert.Equal(DigestCadence.Daily, settings.Cadence);
        Assert.Equal(new TimeOnly(7, 5), settings.LocalTime);
        Assert.Equal(DayOfWeek.Sunday, settings.DayOfWeek);
        Assert.Equal("Europe/Berlin", settings.TimeZone);
        Assert.Equal("newsletter", settings.Style);
        Assert.True(settings.SubmitForReview);
    }

    [Fact]
    public void MissingPropertiesTakeTheirDefaults()
    {
        var settings = JsonSerializer.Deserialize<DigestSettings>("""{"enabled":true}""", Web)!;

        Assert.Equal(new DigestSettings { Enabled = true }, settings);
    }

    [Fact]
    public void ACadenceSerializesInLowerCaseEvenWhenTheHostAsksForAnotherEnumPolicy()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper));

        var json = JsonSerializer.Serialize(new DigestSettings { Cadence = DigestCadence.Daily }, options);

        Assert.Contains("\"cadence\":\"daily\"", json);
        Assert.Contains("\"dayOfWeek\":\"Monday\"", json);
    }

    [Theory]
    [InlineData("\"25:00\"")]
    [InlineData("\"9am\"")]
    [InlineData("\"09:00:00\"")]
    [InlineData("900")]
    public void ALocalTimeThatIsNotHoursAndMinutesIsRejectedWhenRead(string localTime)
    {
        var ex = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<DigestSettings>($$"""{"localTime":{{localTime}}}""", Web));

        Assert.Contains("HH:mm", ex.Message);
    }

    [Fact]
    public void AnUnknownCadenceIsRejectedWhenRead()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DigestSettings>("""{"cadence":"hourly"}""", Web));
    }
}
