namespace Hatch.Domain.Requests;

public enum RequestStatus { Queued, Running, Succeeded, Failed }

/// <summary>Raised when a request is asked to do something its current status forbids.</summary>
public sealed class RequestStateException(string message) : InvalidOperationException(message);

/// <summary>
/// Work a person asked for that runs as a background job: a hatch, a section revision. The row is stored (Queued)
/// before any job is enqueued, so it outlives crashes and lost queues; its status moves Queued → Running →
/// Succeeded or Failed with a reason, and back to Queued after a transient error. A job may run twice, so starting a
/// Running request again and succeeding twice with the same result are allowed.
/// </summary>
public abstract class TrackedRequest
{
    public Guid Id { get; protected set; }
    public string UserId { get; protected set; } = "";
    public RequestStatus Status { get; private set; } = RequestStatus.Queued;
    public int Attempts { get; private set; }
    public string? Error { get; private set; }
    /// <summary>The background job last enqueued for this request; the sweeper checks it is still alive.</summary>
    public string? JobId { get; private set; }
    public DateTimeOffset CreatedAt { get; protected set; }
    public DateTimeOffset UpdatedAt { get; protected set; }

    public bool IsFinished => Status is RequestStatus.Succeeded or RequestStatus.Failed;

    /// <summary>What the request is called in messages and logs: "hatch request", "section revision".</summary>
    public abstract string Kind { get; }

    protected void Begin(string userId, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        UserId = userId;
        Status = RequestStatus.Queued;
        CreatedAt = now.ToUniversalTime();
        UpdatedAt = now.ToUniversalTime();
    }

    public void AssignJob(string jobId, DateTimeOffset now)
    {
        JobId = jobId;
        Touch(now);
    }

    /// <summary>A job picks the request up. Running → Running happens when a job is re-run after a crash.</summary>
    public void Start(DateTimeOffset now)
    {
        Require(Status is RequestStatus.Queued or RequestStatus.Running, "start");
        Status = RequestStatus.Running;
        Attempts++;
        OnStarted(now);
        Touch(now);
    }

    public void Fail(string reason, DateTimeOffset now)
    {
        Require(Status is RequestStatus.Queued or RequestStatus.Running, "fail");
        Status = RequestStatus.Failed;
        Error = reason;
        OnFinished(now);
        Touch(now);
    }

    /// <summary>
    /// Back to Queued after a transient error while running (the job will be retried; the error is kept for the
    /// person watching), or, where <see cref="CanRetryFailed"/>, when a person retries a failed request (attempts start again).
    /// </summary>
    public void Requeue(DateTimeOffset now, string? transientError = null)
    {
        Require(Status is RequestStatus.Running || (CanRetryFailed && Status is RequestStatus.Failed), "be queued again");
        if (Status is RequestStatus.Failed) Attempts = 0;
        Status = RequestStatus.Queued;
        Error = transientError;
        OnRequeued();
        Touch(now);
    }

    /// <summary>Marks success unless the request already succeeded with this result; false when it had.</summary>
    protected bool TrySucceed(bool alreadyThisResult, DateTimeOffset now)
    {
        if (Status is RequestStatus.Succeeded && alreadyThisResult) return false;
        Require(Status is RequestStatus.Queued or RequestStatus.Running, "succeed");
        Status = RequestStatus.Succeeded;
        Error = null;
        OnFinished(now);
        Touch(now);
        return true;
    }

    /// <summary>Whether a person may send a failed request back to the queue.</summary>
    protected virtual bool CanRetryFailed => false;

    protected virtual void OnStarted(DateTimeOffset now) { }
    protected virtual void OnFinished(DateTimeOffset now) { }
    protected virtual void OnRequeued() { }

    protected void Touch(DateTimeOffset now) => UpdatedAt = now.ToUniversalTime();

    protected void Require(bool allowed, string action)
    {
        if (!allowed) throw new RequestStateException($"A {Status} {Kind} cannot {action}.");
    }
}
