using Hatch.Core.Domain;

namespace Hatch.Core.Review;

/// <summary>
/// A request to revise one section of a draft with the language model. Stored (Queued) before its job is enqueued,
/// so a lost queue or a crash leaves a row to find; Queued → Running → Succeeded (with the revision it made) or Failed
/// (with a reason). The status values are those of a hatch request.
/// </summary>
public sealed class SectionRevisionRequest
{
    public const int MaxInstructionLength = 1000;

    private SectionRevisionRequest() { }

    public Guid Id { get; private set; }
    public Guid DraftId { get; private set; }
    public int SectionIndex { get; private set; }
    public string Instruction { get; private set; } = "";
    public string UserId { get; private set; } = "";
    /// <summary>The revision the section was read from when the request was made.</summary>
    public int BaseRevision { get; private set; }
    public HatchRequestStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public string? Error { get; private set; }
    public int? ResultRevision { get; private set; }
    public string? JobId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsFinished => Status is HatchRequestStatus.Succeeded or HatchRequestStatus.Failed;

    public static SectionRevisionRequest Create(Guid draftId, int sectionIndex, string instruction, string userId, int baseRevision, DateTimeOffset now)
    {
        instruction = (instruction ?? "").Trim();
        if (instruction.Length == 0) throw new DraftInputException("instruction", "Say how the section should change, e.g. \"make it concrete\" or \"shorter\".");
        if (instruction.Length > MaxInstructionLength) throw new DraftInputException("instruction", $"The instruction may be at most {MaxInstructionLength} characters.");
        return new SectionRevisionRequest
        {
            Id = Guid.CreateVersion7(now),
            DraftId = draftId,
            SectionIndex = sectionIndex,
            Instruction = instruction,
            UserId = userId,
            BaseRevision = baseRevision,
            Status = HatchRequestStatus.Queued,
            CreatedAt = now.ToUniversalTime(),
            UpdatedAt = now.ToUniversalTime(),
        };
    }

    public void AssignJob(string jobId, DateTimeOffset now) { JobId = jobId; UpdatedAt = now.ToUniversalTime(); }

    public void Start(DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "start");
        Status = HatchRequestStatus.Running;
        Attempts++;
        UpdatedAt = now.ToUniversalTime();
    }

    public void Succeed(int revision, DateTimeOffset now)
    {
        if (Status is HatchRequestStatus.Succeeded && ResultRevision == revision) return;
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "succeed");
        Status = HatchRequestStatus.Succeeded;
        ResultRevision = revision;
        Error = null;
        UpdatedAt = now.ToUniversalTime();
    }

    public void Fail(string reason, DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Queued or HatchRequestStatus.Running, "fail");
        Status = HatchRequestStatus.Failed;
        Error = reason;
        UpdatedAt = now.ToUniversalTime();
    }

    /// <summary>Back to Queued after a transient error; the job is retried by Hangfire.</summary>
    public void Requeue(string transientError, DateTimeOffset now)
    {
        Require(Status is HatchRequestStatus.Running, "be queued again");
        Status = HatchRequestStatus.Queued;
        Error = transientError;
        UpdatedAt = now.ToUniversalTime();
    }

    private void Require(bool allowed, string action)
    {
        if (!allowed) throw new HatchRequestStateException($"A {Status} section revision cannot {action}.");
    }
}
