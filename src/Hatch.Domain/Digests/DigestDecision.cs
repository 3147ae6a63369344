using System.Globalization;

namespace Hatch.Domain.Digests;

/// <summary>Whether a planned digest is written, and if not, the reason recorded and shown in <c>GET /api/digests</c>.</summary>
public sealed record DigestDecision(bool Runs, string? SkipReason)
{
    public static DigestDecision Run { get; } = new(true, null);

    public static DigestDecision Skip(string reason) => new(false, reason);

    /// <summary>
    /// Skips a digest with fewer than <see cref="DigestSettings.MinNewHighlights"/> new highlights. The reason names the
    /// period's start as the reader's calendar shows it: "3 new highlights since Mar 4; the minimum is 5".
    /// More than <see cref="DigestSettings.MaxHighlights"/> is not a skip: the selection keeps the most central.
    /// </summary>
    public static DigestDecision For(DigestSettings settings, DigestPeriod period, int newHighlights)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentOutOfRangeException.ThrowIfNegative(newHighlights);
        if (newHighlights >= settings.MinNewHighlights)
            return Run;

        var zone = DigestSettings.TryFindTimeZone(settings.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var start = TimeZoneInfo.ConvertTime(period.Start, zone);
        var end = TimeZoneInfo.ConvertTime(period.End, zone);
        // The year only when it is not the obvious one, so the common case reads like a person wrote it.
        var since = start.ToString(start.Year == end.Year ? "MMM d" : "MMM d, yyyy", CultureInfo.InvariantCulture);
        var noun = newHighlights == 1 ? "highlight" : "highlights";
        return Skip(string.Create(CultureInfo.InvariantCulture,
            $"{newHighlights} new {noun} since {since}; the minimum is {settings.MinNewHighlights}"));
    }
}
