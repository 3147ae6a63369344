using Hatch.Domain.Requests;

namespace Hatch.Domain.Hatching;

/// <summary>
/// What a running hatch is doing, shown to the person who asked: the pipeline reports Selecting, Writing and
/// Validating; the job adds Saving.
/// </summary>
public enum HatchStage { Selecting, Writing, Validating, Saving }

/// <summary>
/// Which of the user's highlights a hatch uses: the listed ids, one source, one tag, or (all null) every highlight.
/// </summary>
public sealed record HatchSelection(IReadOnlyList<Guid>? HighlightIds = null, string? Source = null, string? Tag = null)
{
    public static HatchSelection All { get; } = new();

    public string Describe() =>
        HighlightIds is { Count: > 0 } ids ? $"{ids.Count} selected highlight{(ids.Count == 1 ? "" : "s")}"
        : Source is not null ? $"highlights from \"{Source}\""
        : Tag is not null ? $"highlights tagged \"{Tag}\""
        : "all highlights";
}

/// <summary>How the article should read.</summary>
/// <param name="Prompt">The model prompt: "Article" for a hatch, "Digest" for a scheduled digest.</param>
/// <param name="Period">A digest's cadence as its prompt names it ("weekly").</param>
/// <param name="MaxHighlights">The most highlights given to the writer; null: the selector's default.</param>
/// <param name="SubmitForReview">
/// The reader asked for the draft to go straight to review. Recorded here so the review workflow can honour it
/// wherever drafts are created; until then the job marks the new draft Submitted.
/// </param>
public sealed record HatchSettings(
    string Style = "essay", string Language = "en", string Length = "medium",
    string Prompt = "Article", string? Period = null, int? MaxHighlights = null, bool SubmitForReview = false);

/// <summary>
/// A person's request for an article (a tracked request: see <see cref="TrackedRequest"/>); while Running it reports
/// its <see cref="Stage"/>, and on success it names the draft it made.
/// </summary>
public sealed class HatchRequest : TrackedRequest
{
    private HatchRequest() { }

    public HatchSelection Selection { get; private set; } = HatchSelection.All;
    public HatchSettings Settings { get; private set; } = new();
    public HatchStage? Stage { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public Guid? DraftId { get; private set; }

    public override string Kind => "hatch request";

    public static HatchRequest Create(string userId, HatchSelection selection, HatchSettings settings, DateTimeOffset now)
    {
        var request = new HatchRequest { Selection = selection, Settings = settings };
        request.Begin(userId, now);
        return request;
    }

    public void Advance(HatchStage stage, DateTimeOffset now)
    {
        Require(Status is RequestStatus.Running, $"move to {stage}");
        Stage = stage;
        Touch(now);
    }

    /// <summary>Idempotent: a job that runs twice finds the request already Succeeded.</summary>
    public void Succeed(Guid draftId, DateTimeOffset now)
    {
        if (TrySucceed(DraftId == draftId, now)) DraftId = draftId;
    }

    protected override bool CanRetryFailed => true;

    protected override void OnStarted(DateTimeOffset now)
    {
        Stage = HatchStage.Selecting;
        StartedAt = now.ToUniversalTime();
    }

    protected override void OnFinished(DateTimeOffset now)
    {
        Stage = null;
        FinishedAt = now.ToUniversalTime();
    }

    protected override void OnRequeued()
    {
        Stage = null;
        FinishedAt = null;
    }
}
