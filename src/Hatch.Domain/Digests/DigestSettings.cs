using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hatch.Domain.Articles;

namespace Hatch.Domain.Digests;

/// <summary>How often a reader's digest runs.</summary>
// The converter sits on the type so the wire names are the same whatever enum policy a host configures.
[JsonConverter(typeof(JsonStringEnumConverter<DigestCadence>))]
public enum DigestCadence
{
    [JsonStringEnumMemberName("daily")] Daily,
    [JsonStringEnumMemberName("weekly")] Weekly,
    [JsonStringEnumMemberName("cron")] Cron,
}

/// <summary>
/// A reader's digest settings, shaped exactly as <c>GET/PUT /api/digest-settings</c> carries them
/// (System.Text.Json web defaults: camelCase names). Check with <see cref="DigestSettingsValidator"/> before storing.
/// </summary>
public sealed record DigestSettings
{
    public bool Enabled { get; init; }

    public DigestCadence Cadence { get; init; } = DigestCadence.Weekly;

    /// <summary>A five-field cron expression (minute hour day-of-month month day-of-week); used when <see cref="Cadence"/> is cron.</summary>
    public string? Cron { get; init; }

    /// <summary>The reader's wall-clock time for daily and weekly digests; "HH:mm" on the wire.</summary>
    [JsonConverter(typeof(HourMinuteConverter))]
    public TimeOnly LocalTime { get; init; } = new(9, 0);

    /// <summary>The day a weekly digest runs; "Monday" on the wire.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DayOfWeek>))]
    public DayOfWeek DayOfWeek { get; init; } = DayOfWeek.Monday;

    /// <summary>An IANA time zone id such as "Europe/Berlin".</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Fewer new highlights than this and the digest is skipped, with the reason recorded.</summary>
    public int MinNewHighlights { get; init; } = 5;

    /// <summary>The most highlights one digest is written from; the most central are kept.</summary>
    public int MaxHighlights { get; init; } = 40;

    /// <summary>One of <see cref="ArticleOptions.Styles"/>.</summary>
    public string Style { get; init; } = "essay";

    public string Language { get; init; } = "en";

    /// <summary>True: the digest's draft goes straight to review (Submitted); false: it stays a Draft.</summary>
    public bool SubmitForReview { get; init; }

    /// <summary>How digests arrive: app, email or both. Email needs <c>Hatch:Email</c> configured; without it, app only.</summary>
    public DigestDelivery Delivery { get; init; } = DigestDelivery.Both;

    /// <summary>True when these settings ask for an email (sent only if the server has email configured).</summary>
    [JsonIgnore]
    public bool WantsEmail => Delivery is DigestDelivery.Email or DigestDelivery.Both;

    /// <summary>The options the article pipeline takes for a digest written with these settings.</summary>
    public ArticleOptions ToArticleOptions(string? authorName = null) =>
        new() { Style = Style, Language = Language, AuthorName = authorName };

    /// <summary>The IANA time zone <paramref name="id"/> names; UTC and false when there is none.</summary>
    public static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) && found.HasIanaId)
        {
            zone = found;
            return true;
        }
        zone = TimeZoneInfo.Utc;
        return false;
    }
}

/// <summary>
/// <see cref="TimeOnly"/> as "HH:mm": the default converter writes "09:00:00", which is not the shape the API promises,
/// and a digest is scheduled to the minute.
/// </summary>
public sealed class HourMinuteConverter : JsonConverter<TimeOnly>
{
    private static readonly string[] Formats = ["HH:mm", "H:mm"];

    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is not null
            && TimeOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return time;
        throw new JsonException($"'{text}' is not a time of day in the form HH:mm, such as \"09:00\".");
    }

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("HH:mm", CultureInfo.InvariantCulture));
}
