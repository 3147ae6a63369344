using Hatch.Core.Domain;
using Hatch.Core.Highlights;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Core.Data;

/// <summary>One record an import or a batch left out, and why.</summary>
public sealed record ImportRejection(int? Line, string Reason);

/// <summary>What adding highlights to a library did.</summary>
public sealed record ImportReport(string Format, int Imported, int Duplicates, IReadOnlyList<ImportRejection> Rejected);

/// <summary>Adds highlights to a user's library, de-duplicated by content hash against what is already there.</summary>
public sealed class HighlightLibrary(HatchDbContext db, HighlightImporters importers, TimeProvider time)
{
    /// <summary>Reads an export file of any supported format. Throws <see cref="ImportException"/> when the file cannot be read at all.</summary>
    public async Task<ImportReport> ImportAsync(string userId, string content, string fileName, CancellationToken cancellationToken = default)
    {
        var result = importers.Import(content, fileName);
        var rejected = result.Rejected
            .Select(i => new ImportRejection(i.Line, i.JsonPath is null ? i.Message : $"{i.JsonPath}: {i.Message}"))
            .ToList();
        var (imported, duplicates) = await AddAsync(userId, result.Highlights, cancellationToken);
        return new ImportReport(result.Format, imported, duplicates + result.Duplicates, rejected);
    }

    /// <summary>Adds highlights; returns how many were new and how many the library (or the batch) already had.</summary>
    public async Task<(int Imported, int Duplicates)> AddAsync(string userId, IReadOnlyList<Highlight> highlights, CancellationToken cancellationToken = default)
    {
        if (highlights.Count == 0) return (0, 0);
        var unique = highlights.DistinctBy(h => h.ContentHash).ToList();
        var hashes = unique.Select(h => h.ContentHash).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        // Chunked so a large export never builds an IN list the database refuses.
        foreach (var chunk in hashes.Chunk(500))
            known.UnionWith(await db.HighlightsOf(userId).Where(h => chunk.Contains(h.ContentHash)).Select(h => h.ContentHash).ToListAsync(cancellationToken));

        var now = time.GetUtcNow();
        var fresh = unique.Where(h => !known.Contains(h.ContentHash)).Select(h => StoredHighlight.From(userId, h, now)).ToList();
        db.Highlights.AddRange(fresh);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (fresh.Count, highlights.Count - fresh.Count);
    }
}
