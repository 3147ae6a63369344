using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Library;

/// <summary>
/// What follows an import, for the API and the page alike: the near-duplicate check and the embedding job.
/// </summary>
/// <remarks>
/// The embedding job is only enqueued: an import never waits for the library's embeddings. The near-duplicate
/// check runs here only when it is cheap now: at most <see cref="MaxNewForDuplicateCheck"/> new highlights, and the
/// None provider or MiniLM already loaded in this process (about 0.1–0.4 s for the limit). Otherwise the embedding
/// job checks them once their vectors are stored and the report says so, rather than make the reader wait for a
/// model load or a remote provider. Vectors computed here are stored, so the job does not compute them again.
/// </remarks>
public sealed partial class HighlightIntake(
    HighlightLibrary library,
    EmbeddingStore store,
    NearDuplicateChecker duplicates,
    EmbeddingScheduler scheduler,
    ILogger<HighlightIntake> logger)
{
    public const int MaxNewForDuplicateCheck = 128;

    /// <param name="format">"auto" or one of the importers' formats, the names `hatch import --format` takes.</param>
    public async Task<ImportReport> ImportAsync(string userId, string content, string fileName, string format, CancellationToken cancellationToken = default) =>
        await FollowUpAsync(userId, await library.ImportAsync(userId, content, fileName, format, cancellationToken), cancellationToken);

    public async Task<ImportReport> AddAsync(string userId, IReadOnlyList<Highlight> highlights, IReadOnlyList<ImportRejection> rejected, string format, CancellationToken cancellationToken = default)
    {
        var added = await library.AddAsync(userId, highlights, cancellationToken);
        var report = new ImportReport(format, added.Imported, added.Duplicates, rejected) { AddedIds = added.AddedIds };
        return await FollowUpAsync(userId, report, cancellationToken);
    }

    /// <summary>The follow-up alone, for highlights stored by other paths (a connection's sync).</summary>
    public Task<ImportReport> FollowUpAsync(string userId, IReadOnlyList<Guid> addedIds, CancellationToken cancellationToken = default) =>
        FollowUpAsync(userId, new ImportReport("sync", addedIds.Count, 0, []) { AddedIds = addedIds }, cancellationToken);

    private async Task<ImportReport> FollowUpAsync(string userId, ImportReport report, CancellationToken cancellationToken)
    {
        Hatch.Writing.Telemetry.HatchTelemetry.RecordImport(report.Format, report.Imported);
        if (report.AddedIds.Count == 0) return report;
        report = report with { NearDuplicateCheck = NearDuplicateCheck.Background };
        if (ModelReady && report.AddedIds.Count <= MaxNewForDuplicateCheck)
        {
            try
            {
                report = report with
                {
                    ProbableDuplicates = await ProbableDuplicatesAsync(userId, report.AddedIds, cancellationToken),
                    NearDuplicateCheck = NearDuplicateCheck.Checked,
                };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The highlights are stored; a failed comparison must not turn the import into an error (the job checks them).
                LogCheckFailed(ex, userId);
            }
        }
        scheduler.Enqueue(userId);
        return report;
    }

    /// <summary>Cheap to embed right now: no model to load and no remote call.</summary>
    private bool ModelReady => store.IsLexical || (store.Generator.GetService<MiniLmEmbeddingGenerator>() is not null && MiniLmEmbeddingGenerator.LoadCount > 0);

    private async Task<IReadOnlyList<ProbableDuplicate>> ProbableDuplicatesAsync(string userId, IReadOnlyList<Guid> addedIds, CancellationToken cancellationToken)
    {
        await store.EnsureAsync(userId, addedIds, cancellationToken);
        return (await duplicates.CheckAsync(userId, addedIds, cancellationToken)).Found;
    }

    [LoggerMessage(LogLevel.Warning, "The near-duplicate check of an import for user {UserId} failed; the import stands and the embedding job checks it")]
    private partial void LogCheckFailed(Exception ex, string userId);
}
