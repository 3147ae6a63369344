namespace Hatch.Core.Domain;

public enum HatchRequestStatus { Queued, Running, Succeeded, Failed }

/// <summary>What a running request is doing; shown to the person who asked.</summary>
public enum HatchRequestStage { Selecting, Writing, Saving }

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

/// <summary>Raised when a request is asked to do something its current status forbids.</summary>
public sealed class HatchRequestStateException(string message) : InvalidOperationException(message);

/// <summary>
/// A person's request for an article. It is stored before any job is enqueued, so it outlives crashes and
/// lost in-memory queues; its status moves Queued → Running (Selecting, Writing, Saving) → Succeeded or Failed.
/// </summary>
public sealed class HatchRequest
{
    private HatchRequest() { }

    public Guid Id { get; private set; }
    public string UserId { get; private set; } = "";
    public HatchSelection Selection { get; private set; } = HatchSelection.All;
    public HatchSettings Settings { get; private set; } = new();
    public HatchRequestStatus Status { get; private set; }
    public HatchRequestStage? Stage { get; private set; }
    public int Attempts { get; private set; }
    public string? Error { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>The background job last enqueued for this request; the sweeper checks it is still alive.</summary>
    public string? JobId { get; private set; }
    public Guid? DraftId { get; private set; }

    public bool IsFinished => Status is HatchRequestStatus.Succeeded or HatchRequestStatus.Failed;

    public static HatchRequest Create(string userId, HatchSelection selection, HatchSettings settings, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        UserId = userId,
        Selection = selection,
        Settings = settings,
        Status = HatchRequestStatus.Queued,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void AssignJob(string jobId, DateTimeOffset now)
    {
        JobId = jobId;
        UpdatedAt = now;
    }

    /// <summary>A job picks the request up. Running → Running happens when a job is re-run after a crash.</summary>
    public void Start(DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "start");
        Status = HatchRequestStatus.Running;
        Stage = HatchRequestStage.Selecting;
        Attempts++;
        StartedAt = now;
        UpdatedAt = now;
    }

    public void Advance(HatchRequestStage stage, DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Running, $"move to {stage}");
        Stage = stage;
        UpdatedAt = now;
    }

    /// <summary>Idempotent: a job that runs twice finds the request already Succeeded.</summary>
    public void Succeed(Guid draftId, DateTimeOffset now)
    {
        if (Status is HatchRequestStatus.Succeeded && DraftId == draftId) return;
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "succeed");
        Status = HatchRequestStatus.Succeeded;
        Stage = null;
        DraftId = draftId;
        Error = null;
        FinishedAt = now;
        UpdatedAt = now;
    }

    public void Fail(string reason, DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "fail");
        Status = HatchRequestStatus.Failed;
        Stage = null;
        Error = reason;
        FinishedAt = now;
        UpdatedAt = now;
    }

    /// <summary>
    /// Back to Queued: after a transient error while running (the job will be retried; the error is kept for the
    /// person watching), or when a person retries a failed request (attempts start again).
    /// </summary>
    public void Requeue(DateTimeOffset now, string? transientError = null)
    {
        Require(Status is HatchRequestStatus.Running or HatchRequestStatus.Failed, "be queued again");
        if (Status is HatchRequestStatus.Failed) Attempts = 0;
        Status = HatchRequestStatus.Queued;
        Stage = null;
        Error = transientError;
        FinishedAt = null;
        UpdatedAt = now;
    }

    private void Require(bool allowed, string action)
    {
        if (!allowed) throw new HatchRequestStateException($"A {Status} hatch request cannot {action}.");
    }
}
