using System.Globalization;

namespace Hatch.Domain.Digests;

/// <summary>
/// The highlights one digest covers: those added in (<see cref="Start"/>, <see cref="End"/>], by the time Hatch stored
/// them (not the time they were highlighted, which an import can place years back). Both ends are UTC.
/// </summary>
public sealed record DigestPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>
    /// Identifies the period for a unique (user, period) constraint: the scheduled run it ends at, as a UTC instant
    /// ("2025-03-10T13:00:00Z"). Two dispatchers planning the same due run derive the same key, so the second insert fails.
    /// A calendar key ("2025-W11") would collide for daily digests and shift with the reader's time zone.
    /// </summary>
    public string Key => KeyFor(End);

    /// <summary>Half-open at the start, so a highlight stored exactly at a period boundary is in exactly one digest.</summary>
    public bool Contains(DateTimeOffset addedAt) => addedAt > Start && addedAt <= End;

    public static string KeyFor(DateTimeOffset end) =>
        end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a dispatcher does for one user now: run the digest for <see cref="Run"/> (null: nothing to run) and store
/// <see cref="NextRunAt"/> as the user's <c>next_run_at</c> (null: digests are off, clear it).
/// </summary>
/// <param name="CatchUp">True when runs were missed (downtime) and <see cref="Run"/> folds them into one digest.</param>
public sealed record DigestPlan(DigestPeriod? Run, DateTimeOffset? NextRunAt, bool CatchUp);
