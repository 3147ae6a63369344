using Hatch.Domain.Requests;

namespace Hatch.Domain.Drafts;

/// <summary>
/// A request to revise one section of a draft with the language model (a tracked request: see
/// <see cref="TrackedRequest"/>); on success it names the revision it made.
/// </summary>
public sealed class SectionRevisionRequest : TrackedRequest
{
    public const int MaxInstructionLength = 1000;

    private SectionRevisionRequest() { }

    public Guid DraftId { get; private set; }
    public int SectionIndex { get; private set; }
    public string Instruction { get; private set; } = "";
    /// <summary>The revision the section was read from when the request was made.</summary>
    public int BaseRevision { get; private set; }
    public int? ResultRevision { get; private set; }

    public override string Kind => "section revision";

    public static SectionRevisionRequest Create(Guid draftId, int sectionIndex, string instruction, string userId, int baseRevision, DateTimeOffset now)
    {
        instruction = (instruction ?? "").Trim();
        if (instruction.Length == 0) throw new DraftInputException("instruction", "Say how the section should change, e.g. \"make it concrete\" or \"shorter\".");
        if (instruction.Length > MaxInstructionLength) throw new DraftInputException("instruction", $"The instruction may be at most {MaxInstructionLength} characters.");
        var request = new SectionRevisionRequest { DraftId = draftId, SectionIndex = sectionIndex, Instruction = instruction, BaseRevision = baseRevision };
        request.Begin(userId, now);
        return request;
    }

    /// <summary>Idempotent: a job that runs twice finds the request already Succeeded with this revision.</summary>
    public void Succeed(int revision, DateTimeOffset now)
    {
        if (TrySucceed(ResultRevision == revision, now)) ResultRevision = revision;
    }
}
