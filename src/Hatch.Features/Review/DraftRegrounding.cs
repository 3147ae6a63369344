using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Writing.Grounding;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Review;

/// <summary>
/// Keeps a draft's grounding report true to its text after a person's edit, a restore or a model's section revision:
/// the parts the change touched are checked again with the same <see cref="GroundingChecker"/> (no model call), so
/// an editor never approves on the strength of a report about sentences that are gone.
/// </summary>
public sealed partial class DraftRegrounding(ILogger<DraftRegrounding> logger, GroundingChecker? checker = null)
{
    /// <summary>
    /// Re-checks <paramref name="after"/> against the draft's highlights and stores the report on the draft. A draft
    /// that was never checked (no embedding model when it was written) stays unchecked; a check that fails leaves it
    /// unchecked rather than keep the old report.
    /// </summary>
    public async Task ApplyAsync(Draft draft, Article before, Article after, CancellationToken cancellationToken)
    {
        if (checker is not { CanCheck: true } || draft.Provenance.Grounding is not { } previous) return;
        try
        {
            var report = await checker.RecheckAsync(before, after, previous, draft.ToDocument().Highlights, cancellationToken);
            draft.Regrounded(report);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecheckFailed(ex, draft.Id);
            draft.Regrounded(null);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Re-checking the grounding of edited draft {DraftId} failed; it is stored unchecked")]
    private partial void LogRecheckFailed(Exception ex, Guid draftId);
}
