using Microsoft.EntityFrameworkCore;

namespace Hatch.Data;

/// <summary>
/// A change counter per user, bumped by database triggers whenever one of the user's stored vectors is added,
/// replaced or removed, or one of their highlights is deleted. Processes that keep a user's vectors in memory compare
/// it with the version they loaded: one primary-key read per request tells a web process that a worker (or the CLI)
/// changed the library, where counting the vectors would cost a scan of the whole library.
/// </summary>
/// <remarks>
/// Triggers rather than application code because vectors and highlights are written and deleted in many places
/// (imports, sync, the embedding job, cascades from a deleted user or highlight); none of them can forget to bump it.
/// </remarks>
public sealed class LibraryVersion
{
    public required string UserId { get; set; }

    /// <summary>Grows on every change; its value means nothing beyond "different from before".</summary>
    public long Version { get; set; }

    /// <summary>Grows when a vector or highlight goes away or a vector is rewritten: an in-memory copy cannot be patched by appending then.</summary>
    public long Removals { get; set; }
}

public static class LibraryVersionQueries
{
    /// <summary>The user's (version, removals) pair; (0, 0) before their first vector.</summary>
    public static async Task<(long Version, long Removals)> LibraryVersionAsync(this HatchDbContext db, string userId, CancellationToken cancellationToken)
    {
        var row = await db.LibraryVersions.AsNoTracking().Where(v => v.UserId == userId)
            .Select(v => new { v.Version, v.Removals }).FirstOrDefaultAsync(cancellationToken);
        return row is null ? (0, 0) : (row.Version, row.Removals);
    }
}
