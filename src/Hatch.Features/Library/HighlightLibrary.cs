using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Writing.Importing;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Features.Library;

/// <summary>One record an import or a batch left out, and why.</summary>
public sealed record ImportRejection(int? Line, string Reason);

/// <summary>A new highlight that says nearly what one already in the library says, in nearly the same words. Stored, and reported.</summary>
public sealed record ProbableDuplicate(Guid Id, string Text, Guid ExistingId, string ExistingText, string ExistingSource, double Cosine);

/// <summary>Whether an import's new highlights were compared by meaning with the library.</summary>
public static class NearDuplicateCheck
{
    /// <summary>Compared during the import: <see cref="ImportReport.ProbableDuplicates"/> is the full answer.</summary>
    public const string Checked = "checked";

    /// <summary>
    /// Compared by the embedding job once the new highlights have vectors (the import was too large to embed while
    /// the reader waits, or the model was not loaded yet): probable duplicates are then listed on the highlights page
    /// and at <c>GET /api/highlights/probable-duplicates</c>.
    /// </summary>
    public const string Background = "background";

    /// <summary>Nothing new to compare.</summary>
    public const string NotNeeded = "not-needed";
}

/// <summary>What adding highlights to a library did.</summary>
public sealed record ImportReport(string Format, int Imported, int Duplicates, IReadOnlyList<ImportRejection> Rejected)
{
    /// <summary>New highlights that nearly repeat existing ones: kept, but worth a look.</summary>
    public IReadOnlyList<ProbableDuplicate> ProbableDuplicates { get; init; } = [];

    /// <summary>One of <see cref="NearDuplicateCheck"/>'s values.</summary>
    public string NearDuplicateCheck { get; init; } = Library.NearDuplicateCheck.NotNeeded;

    /// <summary>The ids of the highlights this import stored, for the follow-up work (embeddings, duplicates).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Guid> AddedIds { get; init; } = [];
}

/// <summary>What <see cref="HighlightLibrary.AddAsync"/> did; deconstructs to (imported, duplicates).</summary>
public sealed record AddResult(int Imported, int Duplicates, IReadOnlyList<Guid> AddedIds)
{
    public void Deconstruct(out int imported, out int duplicates) => (imported, duplicates) = (Imported, Duplicates);
}

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
        var added = await AddAsync(userId, result.Highlights, cancellationToken);
        return new ImportReport(result.Format, added.Imported, added.Duplicates + result.Duplicates, rejected) { AddedIds = added.AddedIds };
    }

    /// <summary>Adds highlights; returns how many were new and how many the library (or the batch) already had.</summary>
    public async Task<AddResult> AddAsync(string userId, IReadOnlyList<Highlight> highlights, CancellationToken cancellationToken = default)
    {
        var fresh = await db.AddNewHighlightsAsync(userId, highlights, time.GetUtcNow(), cancellationToken);
        return new AddResult(fresh.Count, highlights.Count - fresh.Count, fresh.Select(h => h.Id).ToArray());
    }
}
