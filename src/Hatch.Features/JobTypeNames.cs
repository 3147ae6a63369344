using Hangfire.Common;
using Hatch.Features.Digests;
using Hatch.Features.Hatching;
using Hatch.Features.Library;
using Hatch.Features.Review;

namespace Hatch.Features;

/// <summary>
/// Resolves the job type names Hangfire stored. The job classes lived in Hatch.Core until it was split; a job
/// enqueued (or a retry scheduled) before an upgrade names its class the old way, and without this it would fail to
/// load and its request would wait for Hangfire's retries to run out before the sweeper enqueued it again.
/// </summary>
public static class JobTypeNames
{
    private static readonly Dictionary<string, Type> Moved = new(StringComparer.Ordinal)
    {
        ["Hatch.Core.Jobs.HatchJob, Hatch.Core"] = typeof(HatchJob),
        ["Hatch.Core.Jobs.HatchRequestSweeper, Hatch.Core"] = typeof(HatchRequestSweeper),
        ["Hatch.Core.Jobs.ReviseSectionJob, Hatch.Core"] = typeof(ReviseSectionJob),
        ["Hatch.Core.Jobs.PublishWebhookJob, Hatch.Core"] = typeof(PublishWebhookJob),
        ["Hatch.Core.Jobs.EmbeddingJob, Hatch.Core"] = typeof(EmbeddingJob),
        ["Hatch.Core.Jobs.EmbeddingRefreshJob, Hatch.Core"] = typeof(EmbeddingRefreshJob),
        ["Hatch.Core.Digests.DigestJob, Hatch.Core"] = typeof(DigestJob),
        ["Hatch.Core.Digests.DigestDispatcher, Hatch.Core"] = typeof(DigestDispatcher),
    };

    /// <summary>For <c>UseTypeResolver</c>: a moved job class by its old name (with or without version details), anything else as Hangfire would.</summary>
    public static Type Resolve(string typeName)
    {
        var parts = typeName.Split(',', 3, StringSplitOptions.TrimEntries);
        var simple = parts.Length >= 2 ? $"{parts[0]}, {parts[1]}" : typeName;
        return Moved.TryGetValue(simple, out var type) ? type : TypeHelper.DefaultTypeResolver(typeName);
    }
}
