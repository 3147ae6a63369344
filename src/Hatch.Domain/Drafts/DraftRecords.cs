namespace Hatch.Domain.Drafts;

public enum RevisionKind { Created, Edited, Revised, Restored }

/// <summary>One saved state of a draft's article: who saved it, when, and how (an edit, a model revision, a restore).</summary>
public sealed class DraftRevision
{
    public Guid DraftId { get; private set; }
    public int Number { get; private set; }
    public string UserId { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public RevisionKind Kind { get; private set; }
    public string Title { get; private set; } = "";
    public string ArticleJson { get; private set; } = "";
    public string Markdown { get; private set; } = "";
    /// <summary>How a model revision was made (writer, model, template and hash, tokens, latency).</summary>
    public string? ProvenanceJson { get; private set; }
    public int? RestoredFrom { get; private set; }
    /// <summary>The section revision request that made this revision; unique, so a re-run job cannot store it twice.</summary>
    public Guid? ReviseRequestId { get; private set; }
    /// <summary>The instruction of a model revision.</summary>
    public string? Note { get; private set; }

    internal static DraftRevision Create(Draft draft, int number, string userId, RevisionKind kind, DateTimeOffset now,
        string? provenanceJson = null, int? restoredFrom = null, Guid? reviseRequestId = null, string? note = null) => new()
    {
        DraftId = draft.Id,
        Number = number,
        UserId = userId,
        CreatedAt = now.ToUniversalTime(),
        Kind = kind,
        Title = draft.Title,
        ArticleJson = draft.ArticleJson,
        Markdown = draft.Markdown,
        ProvenanceJson = provenanceJson,
        RestoredFrom = restoredFrom,
        ReviseRequestId = reviseRequestId,
        Note = note,
    };
}

public enum DraftEventKind { Created, Edited, Submitted, Approved, Rejected, Published, Revised, Restored }

/// <summary>One line of a draft's audit trail.</summary>
public sealed class DraftEvent
{
    public Guid Id { get; private set; }
    public Guid DraftId { get; private set; }
    public DraftEventKind Kind { get; private set; }
    public string UserId { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
    /// <summary>The revision the draft was at after the event.</summary>
    public int? Revision { get; private set; }
    public DraftStatus Status { get; private set; }
    /// <summary>A rejection's reason, a revision note, the public address.</summary>
    public string? Detail { get; private set; }

    internal static DraftEvent Create(Draft draft, DraftEventKind kind, string userId, DateTimeOffset now, string? detail = null, int? revision = null) => new()
    {
        Id = Guid.CreateVersion7(now),
        DraftId = draft.Id,
        Kind = kind,
        UserId = userId,
        At = now.ToUniversalTime(),
        Revision = revision,
        Status = draft.Status,
        Detail = detail,
    };
}

/// <summary>A comment on a draft, optionally about one of its sections (by index).</summary>
public sealed class DraftComment
{
    public const int MaxLength = 4000;

    public Guid Id { get; private set; }
    public Guid DraftId { get; private set; }
    public string UserId { get; private set; } = "";
    public string Body { get; private set; } = "";
    public int? SectionIndex { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public static DraftComment Create(Draft draft, DraftActor actor, string body, int? sectionIndex, DateTimeOffset now)
    {
        if (!draft.IsVisibleTo(actor))
            throw new DraftPermissionException(DraftAction.Edit, "Only people who can see the draft can comment on it.");
        body = (body ?? "").Trim();
        if (body.Length == 0) throw new DraftInputException("body", "A comment needs some text.");
        if (body.Length > MaxLength) throw new DraftInputException("body", $"A comment may be at most {MaxLength} characters.");
        var sections = draft.Article.Sections.Count;
        if (sectionIndex is { } index && (index < 0 || index >= sections))
            throw new DraftInputException("sectionIndex", $"The draft has sections 0–{sections - 1}; there is no section {index}.");
        return new DraftComment
        {
            Id = Guid.CreateVersion7(now),
            DraftId = draft.Id,
            UserId = actor.UserId,
            Body = body,
            SectionIndex = sectionIndex,
            CreatedAt = now.ToUniversalTime(),
        };
    }
}
