namespace Hatch.Features.Tests.Digests;

/// <summary>Instants for digest tests, written the way the spec talks about them: UTC, or a reader's wall clock.</summary>
internal static class DigestTime
{
    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>A wall-clock time that exists once in <paramref name="zoneId"/> (not in a DST gap or overlap).</summary>
    public static DateTimeOffset Local(string zoneId, int year, int month, int day, int hour, int minute = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var wall = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall) || zone.IsAmbiguousTime(wall))
            throw new ArgumentException($"{wall} is not a single instant in {zoneId}; write that test in UTC.");
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUniversalTime();
    }

    public static DateTimeOffset InZone(this DateTimeOffset instant, string zoneId) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zoneId));
}
