using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Writing.Importing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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

/// <summary>What adding highlights to a library did; the counts are those `hatch import --output json` prints.</summary>
public sealed record ImportReport(string Format, int Imported, int Duplicates, IReadOnlyList<ImportRejection> Rejected)
{
    /// <summary>The file's note records: attached to their highlight, or annotating none (<see cref="NotesWithoutHighlight"/>).</summary>
    public int Notes { get; init; }

    /// <summary>
    /// Notes that annotate no highlight of the file (a Kindle note alone, a Hypothesis page note): kept on their book
    /// in the library's notes (<c>GET /api/notes</c>), never counted or hatched as highlights.
    /// </summary>
    public int NotesWithoutHighlight => KeptNotes.Count;

    public IReadOnlyList<SourceNote> KeptNotes { get; init; } = [];

    /// <summary>How many of <see cref="KeptNotes"/> were new to the library (the rest were kept by an earlier import).</summary>
    public int NotesStored { get; init; }

    /// <summary>Bookmarks read and skipped.</summary>
    public int Bookmarks { get; init; }

    /// <summary>Highlights the device cut short at its clipping limit: kept, and flagged on the highlight.</summary>
    public int TruncatedByDevice { get; init; }

    /// <summary>Every entry not imported, in file order: the <see cref="Rejected"/> ones and those skipped on purpose (discards, replies).</summary>
    public IReadOnlyList<ImportRejection> Skipped { get; init; } = [];

    /// <summary>What could not be read of entries that were imported (an unknown date, a header in an unknown language).</summary>
    public IReadOnlyList<ImportRejection> Warnings { get; init; } = [];

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
public sealed class HighlightLibrary(HatchDbContext db, HighlightImporters importers, TimeProvider time, IOptions<HatchLimits> limits)
{
    /// <summary>
    /// Reads an export file of any supported format; <paramref name="format"/> is "auto" (told from the content) or one
    /// of <see cref="HighlightImporters.Formats"/>. Throws <see cref="ImportException"/> when the file cannot be read at all.
    /// </summary>
    public async Task<ImportReport> ImportAsync(string userId, string content, string fileName, string format, CancellationToken cancellationToken = default)
    {
        var result = importers.Import(content, fileName, format);
        var added = await AddAsync(userId, result.Highlights, cancellationToken);
        var notesStored = await db.AddNewSourceNotesAsync(userId, result.KeptNotes, time.GetUtcNow(), cancellationToken);
        return new ImportReport(result.Format, added.Imported, added.Duplicates + result.Duplicates, result.Rejected.Select(ToRejection).ToList())
        {
            AddedIds = added.AddedIds,
            Notes = result.Notes,
            KeptNotes = result.KeptNotes,
            NotesStored = notesStored,
            Bookmarks = result.Bookmarks,
            TruncatedByDevice = result.TruncatedByDevice,
            Skipped = result.NotImported.Select(ToRejection).ToList(),
            Warnings = result.Warnings.Select(ToRejection).ToList(),
        };
    }

    private static ImportRejection ToRejection(ImportIssue issue) =>
        new(issue.Line, issue.JsonPath is null ? issue.Message : $"{issue.JsonPath}: {issue.Message}");

    /// <summary>Adds highlights; returns how many were new and how many the library (or the batch) already had.</summary>
    public async Task<AddResult> AddAsync(string userId, IReadOnlyList<Highlight> highlights, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<StoredHighlight> fresh;
        try
        {
            fresh = await db.AddNewHighlightsAsync(userId, highlights, time.GetUtcNow(), cancellationToken, limits.Value.MaxHighlightsPerUser);
        }
        catch (LibraryFullException full)
        {
            var message = limits.Value.LibraryFull(full.Stored, full.Adding);
            throw new ImportException($"Nothing was imported: {message}. Delete highlights you no longer need, or ask the operator to raise the limit.",
                [new ImportIssue("", null, null, message)]) { Limit = nameof(HatchLimits.MaxHighlightsPerUser) };
        }
        return new AddResult(fresh.Count, highlights.Count - fresh.Count, fresh.Select(h => h.Id).ToArray());
    }
}
