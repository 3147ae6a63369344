using System.Globalization;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Domain.Requests;
using Hatch.Features.Requests;
using Hatch.Writing.Importing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Hatching;

public enum SubmitOutcome { Accepted, UnknownHighlights, NothingToHatch, InvalidSettings, TooManyHighlights }

public sealed record SubmitResult(SubmitOutcome Outcome, HatchRequest? Request = null, string? Problem = null);

public enum RetryOutcome { Requeued, NotFound, NotFailed }

/// <summary>
/// Accepts hatch requests: the request row is stored (Queued) before its job is enqueued, so if enqueueing fails
/// or the queue is lost the sweeper still finds it.
/// </summary>
public sealed class HatchScheduler(HatchDbContext db, RequestQueue queue, TimeProvider time, IOptions<HatchLimits>? limits = null)
{
    private readonly HatchLimits _limits = limits?.Value ?? new HatchLimits();

    public async Task<SubmitResult> SubmitAsync(string userId, HatchSelection selection, HatchSettings settings, CancellationToken cancellationToken = default)
    {
        if (!ArticleOptions.Styles.Contains(settings.Style))
            return new(SubmitOutcome.InvalidSettings, Problem: $"style must be one of {string.Join(", ", ArticleOptions.Styles)}.");
        if (!ArticleOptions.Lengths.Contains(settings.Length))
            return new(SubmitOutcome.InvalidSettings, Problem: $"length must be one of {string.Join(", ", ArticleOptions.Lengths)}.");
        // The language reaches the model's system prompt: only a tag .NET knows is stored.
        if (ArticleLanguage.Normalize(settings.Language) is not { } language)
            return new(SubmitOutcome.InvalidSettings, Problem: ArticleLanguage.Problem + ".");
        settings = settings with { Language = language };

        var mine = db.HighlightsOf(userId);
        if (selection.HighlightIds is { Count: > 0 } ids)
        {
            var distinct = ids.Distinct().ToArray();
            if (distinct.Length > _limits.MaxHatchSelection)
                return new(SubmitOutcome.TooManyHighlights, Problem:
                    $"highlightIds: {distinct.Length.ToString("N0", CultureInfo.InvariantCulture)} highlights were selected; one hatch takes at most {_limits.MaxHatchSelection.ToString("N0", CultureInfo.InvariantCulture)} (Hatch:Limits:MaxHatchSelection). Hatch by source or tag, or select fewer.");
            var found = await mine.CountAsync(h => distinct.Contains(h.Id), cancellationToken);
            if (found != distinct.Length) return new(SubmitOutcome.UnknownHighlights, Problem: "Some of the selected highlights do not exist.");
            selection = selection with { HighlightIds = distinct, Source = null, Tag = null };
        }
        else
        {
            if (selection.Source is { } source)
                mine = mine.Where(h => h.SourceTitle == source);
            else if (selection.Tag is { } tag)
            {
                var key = StoredHighlight.TagKey(tag);
                mine = mine.Where(h => h.Tags.Contains(key));
            }
            if (!await mine.AnyAsync(cancellationToken))
                return new(SubmitOutcome.NothingToHatch, Problem: $"There are no {selection.Describe()} to hatch from.");
        }

        var request = HatchRequest.Create(userId, selection, settings, time.GetUtcNow());
        db.HatchRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueAsync(request, cancellationToken);
        return new(SubmitOutcome.Accepted, request);
    }

    /// <summary>A person's Retry on a failed request: same request, fresh attempts.</summary>
    public async Task<RetryOutcome> RetryAsync(string userId, Guid requestId, CancellationToken cancellationToken = default)
    {
        var request = await db.RequestsOf(userId).FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null) return RetryOutcome.NotFound;
        if (request.Status != RequestStatus.Failed) return RetryOutcome.NotFailed;
        request.Requeue(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueAsync(request, cancellationToken);
        return RetryOutcome.Requeued;
    }

    /// <summary>Enqueues the (already stored) request's job and records its id. Never throws for a storage outage: the sweeper retries.</summary>
    public Task EnqueueAsync(HatchRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id;
        return queue.EnqueueAsync<HatchJob>(request, job => job.RunAsync(id, CancellationToken.None), cancellationToken);
    }
}
