using Cronos;
using Hatch.Domain.Articles;
using Hatch.Domain.Digests;

namespace Hatch.Features.Digests;

/// <summary>One problem with a field of <see cref="DigestSettings"/>; <see cref="Field"/> is the JSON property name.</summary>
public sealed record DigestSettingsError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// Checks digest settings field by field, so an API can answer with a ValidationProblem naming each field
/// (<see cref="ToDictionary"/> is the shape <c>TypedResults.ValidationProblem</c> takes).
/// </summary>
public static class DigestSettingsValidator
{
    public const int MinNewHighlightsLimit = 1000;
    public const int MaxHighlightsLimit = 200;

    /// <summary>
    /// A digest is an article; more than one an hour is a runaway expression, not a reading habit, and at scale it
    /// would let one user occupy the dispatcher.
    /// </summary>
    public static readonly TimeSpan MinimumCronInterval = TimeSpan.FromHours(1);

    public static IReadOnlyList<DigestSettingsError> Validate(DigestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<DigestSettingsError>();
        void Add(string field, string message) => errors.Add(new DigestSettingsError(field, message));

        if (!Enum.IsDefined(settings.Cadence))
            Add("cadence", "must be daily, weekly or cron");
        else if (settings.Cadence == DigestCadence.Cron)
        {
            if (string.IsNullOrWhiteSpace(settings.Cron))
                Add("cron", "is required when cadence is cron");
            else if (CheckCron(settings.Cron) is { } cronError)
                Add("cron", cronError);
        }

        if (!Enum.IsDefined(settings.DayOfWeek))
            Add("dayOfWeek", "must be a day of the week, such as Monday");
        // Cron text is built from hours and minutes only; a time with seconds would run at a different moment than shown.
        if (settings.LocalTime.Second != 0 || settings.LocalTime.Millisecond != 0 || settings.LocalTime.Microsecond != 0)
            Add("localTime", $"'{settings.LocalTime:HH:mm:ss}' must be a whole minute (HH:mm)");

        if (string.IsNullOrWhiteSpace(settings.TimeZone))
            Add("timeZone", "is required (an IANA time zone such as Europe/Berlin)");
        else if (!DigestSettings.TryFindTimeZone(settings.TimeZone, out _))
            Add("timeZone", $"'{settings.TimeZone}' is not an IANA time zone");

        if (settings.MinNewHighlights is < 1 or > MinNewHighlightsLimit)
            Add("minNewHighlights", $"must be between 1 and {MinNewHighlightsLimit}");
        if (settings.MaxHighlights is < 1 or > MaxHighlightsLimit)
            Add("maxHighlights", $"must be between 1 and {MaxHighlightsLimit}");

        if (!ArticleOptions.Styles.Contains(settings.Style))
            Add("style", $"'{settings.Style}' is not a style; use {string.Join(", ", ArticleOptions.Styles)}");
        if (string.IsNullOrWhiteSpace(settings.Language))
            Add("language", "is required (a language tag such as en)");
        else if (ArticleLanguage.Normalize(settings.Language) is null)
            Add("language", $"'{settings.Language}' is not a language tag or name Hatch knows (such as en, fr, pt-BR or French)");

        return errors;
    }

    public static bool IsValid(DigestSettings settings) => Validate(settings).Count == 0;

    /// <summary>Errors grouped by field, messages without the field prefix: the ValidationProblem shape.</summary>
    public static Dictionary<string, string[]> ToDictionary(this IEnumerable<DigestSettingsError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    /// <summary>
    /// Only IANA ids: on Linux <see cref="TimeZoneInfo.FindSystemTimeZoneById"/> also accepts Windows names
    /// ("Eastern Standard Time"), which would be stored and later shown to the reader in a second vocabulary.
    /// </summary>
    private static string? CheckCron(string cron)
    {
        // Five fields only: the dispatcher wakes once a minute, so a seconds field would promise a precision it cannot keep.
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 6)
            return $"'{cron}' has a seconds field; use five fields (minute hour day-of-month month day-of-week)";
        if (!CronExpression.TryParse(cron, CronFormat.Standard, out var expression))
            return $"'{cron}' is not a cron expression (five fields: minute hour day-of-month month day-of-week)";

        // A fixed reference makes the check repeatable; cron schedules repeat within years, so a sample tells the truth.
        var reference = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var first = expression.GetNextOccurrence(reference, TimeZoneInfo.Utc);
        if (first is null)
            return $"'{cron}' never runs";
        var previous = first.Value;
        for (var i = 0; i < 64; i++)
        {
            var next = expression.GetNextOccurrence(previous, TimeZoneInfo.Utc);
            if (next is null) break;
            if (next.Value - previous < MinimumCronInterval)
                return $"'{cron}' runs more than once an hour; a digest needs at least an hour between runs";
            previous = next.Value;
        }
        return null;
    }
}
