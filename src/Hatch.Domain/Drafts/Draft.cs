using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;

namespace Hatch.Domain.Drafts;

/// <summary>Who is acting on a draft: a signed-in user and whether they hold the Editor or Admin role.</summary>
public sealed record DraftActor(string UserId, bool IsEditor = false, bool IsAdmin = false)
{
    /// <summary>Editors review; an Admin can do whatever an Editor can.</summary>
    public bool IsReviewer => IsEditor || IsAdmin;
}

/// <summary>What can be done to a draft. Revising a section with the model and restoring a revision are edits.</summary>
public enum DraftAction { Edit, Submit, Approve, Reject, Publish }

/// <summary>The review workflow's states; drafts are created as Draft.</summary>
public enum DraftStatus { Draft, Submitted, Approved, Rejected, Published }

/// <summary>
/// The stored result of one hatch request (exactly one per request) and the aggregate of the review workflow:
/// Draft → Submitted → Approved → Published, with Rejected (reason required) → Draft by the author's edit or
/// resubmission. Every change goes through a method here that checks the state and the actor
/// (the rules below) and throws <see cref="DraftWorkflowException"/> or <see cref="DraftPermissionException"/>
/// rather than change anything it may not. The database keeps the same invariants: a check constraint on the
/// status values (and on a published draft's slug and a rejected draft's reason), <see cref="Version"/> as an
/// optimistic concurrency token so two transitions of one loaded state cannot both be saved, and the primary
/// key (draft, number) of <see cref="DraftRevision"/> so two edits cannot both become revision n + 1.
/// </summary>
public sealed class Draft
{
    public const int MaxReasonLength = 2000;

    public Guid Id { get; set; }
    public Guid RequestId { get; set; }
    public required string UserId { get; set; }
    public required string Title { get; set; }
    public required string ArticleJson { get; set; }
    public required string Markdown { get; set; }
    public required string ProvenanceJson { get; set; }
    public string? AuthorName { get; set; }
    public string Language { get; set; } = "en";
    /// <summary>The style the draft was hatched in (essay, briefing, newsletter); the review queue filters by it.</summary>
    public string Style { get; set; } = "essay";
    public DraftStatus Status { get; private set; } = DraftStatus.Draft;
    public DateTimeOffset CreatedAt { get; set; }
    public List<DraftHighlight> Highlights { get; set; } = [];

    /// <summary>The number of the current revision; every save makes the next one.</summary>
    public int Revision { get; private set; } = 1;

    /// <summary>Optimistic concurrency token: bumped by every change, checked by every UPDATE.</summary>
    public int Version { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }
    public string? RejectionReason { get; private set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    /// <summary>The public address is /a/{Slug}; set once, at the first publication, and never changed.</summary>
    public string? Slug { get; private set; }

    public List<DraftRevision> Revisions { get; private set; } = [];
    public List<DraftEvent> Events { get; private set; } = [];

    /// <summary>The draft of a finished hatch, as revision 1; <paramref name="markdown"/> is the document rendered.</summary>
    public static Draft Create(HatchRequest request, DraftDocument document, string markdown, IReadOnlyDictionary<string, Guid> highlightIdsByHash, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        var draft = new Draft
        {
            Id = id,
            RequestId = request.Id,
            UserId = request.UserId,
            Title = document.Article.Title,
            ArticleJson = JsonSerializer.Serialize(document.Article, HatchJson.Options),
            Markdown = markdown,
            ProvenanceJson = JsonSerializer.Serialize(document.Provenance, HatchJson.Options),
            AuthorName = document.AuthorName,
            Language = document.Language,
            Style = request.Settings.Style,
            CreatedAt = now.ToUniversalTime(),
            UpdatedAt = now.ToUniversalTime(),
            Highlights = document.Highlights
                .Select(h => new DraftHighlight { DraftId = id, Number = h.Number, HighlightId = highlightIdsByHash[h.Highlight.ContentHash] })
                .ToList(),
        };
        draft.Revisions.Add(DraftRevision.Create(draft, 1, request.UserId, RevisionKind.Created, now, provenanceJson: draft.ProvenanceJson));
        draft.Events.Add(DraftEvent.Create(draft, DraftEventKind.Created, request.UserId, now, revision: 1));
        return draft;
    }

    public Article Article => JsonSerializer.Deserialize<Article>(ArticleJson, HatchJson.Options)
        ?? throw new InvalidDataException($"Draft {Id} has no article.");

    public DraftProvenance Provenance => JsonSerializer.Deserialize<DraftProvenance>(ProvenanceJson, HatchJson.Options)
        ?? throw new InvalidDataException($"Draft {Id} has no provenance.");

    /// <summary>The numbers this draft's article may cite: those of the highlights given to its writer.</summary>
    public IReadOnlySet<int> SourceNumbers => Highlights.Select(h => h.Number).ToHashSet();

    /// <summary>The draft as the renderer wants it; <see cref="Highlights"/> must be loaded with their highlights.</summary>
    public DraftDocument ToDocument() => new(
        Article,
        Highlights.OrderBy(h => h.Number).Select(h => new NumberedHighlight(h.Number, h.Highlight!.ToHighlight())).ToArray(),
        Provenance,
        AuthorName,
        Language);

    // ---------- the workflow ----------

    // The rules, in one place for these methods (which throw), the API and the pages (which show only what the
    // current user may do). Who may see a draft: its author always; editors and admins once it has been submitted, except
    // while it is Rejected.
    // Who may do what: the author submits; reviewers (Editor or Admin) approve and reject, but never their own draft;
    // reviewers other than the author publish; the author edits while it is a Draft or Rejected, other reviewers while
    // it is Submitted (so an editor-author cannot change or publish what another editor is approving). From which
    // state: Draft|Rejected → Submitted; Submitted → Approved; Submitted|Approved → Rejected; Approved → Published;
    // edits keep Draft and Submitted, and turn Rejected back into Draft.

    public static IReadOnlyList<DraftAction> AllActions { get; } = Enum.GetValues<DraftAction>();

    // A rejected draft is back with its author: other reviewers stop seeing it (its rejection reason and any text the
    // author rewrites next) until the author submits it again.
    public bool IsVisibleTo(DraftActor actor) =>
        IsOwnedBy(actor) || (actor.IsReviewer && SubmittedAt is not null && Status != DraftStatus.Rejected);

    /// <summary>Whether the actor's relation to the draft allows the action at all, whatever its state.</summary>
    public static bool HasRole(DraftAction action, bool owner, bool reviewer) => action switch
    {
        DraftAction.Submit => owner,
        DraftAction.Approve or DraftAction.Reject => reviewer && !owner,
        DraftAction.Publish => reviewer && !owner,
        DraftAction.Edit => owner || reviewer,
        _ => false,
    };

    /// <summary>Whether the action is legal from <paramref name="status"/> for this actor.</summary>
    public static bool AllowedIn(DraftAction action, DraftStatus status, bool owner, bool reviewer) => action switch
    {
        DraftAction.Submit => status is DraftStatus.Draft or DraftStatus.Rejected,
        DraftAction.Approve => status is DraftStatus.Submitted,
        DraftAction.Reject => status is DraftStatus.Submitted or DraftStatus.Approved,
        DraftAction.Publish => status is DraftStatus.Approved,
        DraftAction.Edit => (owner && status is DraftStatus.Draft or DraftStatus.Rejected) || (reviewer && !owner && status is DraftStatus.Submitted),
        _ => false,
    };

    public bool Allows(DraftAction action, DraftActor actor)
    {
        var owner = IsOwnedBy(actor);
        return IsVisibleTo(actor) && HasRole(action, owner, actor.IsReviewer) && AllowedIn(action, Status, owner, actor.IsReviewer);
    }

    /// <summary>The actions the actor may take now, for the page's buttons.</summary>
    public IReadOnlyList<DraftAction> ActionsFor(DraftActor actor) =>
        AllActions.Where(a => Allows(a, actor)).ToArray();

    /// <summary>Throws unless the actor may take the action now: a permission problem first, then the state.</summary>
    public void Require(DraftAction action, DraftActor actor)
    {
        var owner = IsOwnedBy(actor);
        if (!IsVisibleTo(actor) || !HasRole(action, owner, actor.IsReviewer))
            throw new DraftPermissionException(action, PermissionMessage(action, owner, actor.IsReviewer));
        if (!AllowedIn(action, Status, owner, actor.IsReviewer))
            throw new DraftWorkflowException(Status, action, StateMessage(action, Status, owner, actor.IsReviewer));
    }

    private static string PermissionMessage(DraftAction action, bool owner, bool reviewer) => action switch
    {
        DraftAction.Submit => "Only the draft's author can submit it for review.",
        DraftAction.Approve or DraftAction.Reject or DraftAction.Publish when owner && reviewer => $"Nobody may {Verb(action)} their own draft; another editor must review it.",
        DraftAction.Approve or DraftAction.Reject or DraftAction.Publish => $"Only an editor or an admin can {Verb(action)} a draft.",
        _ => "Only the draft's author or an editor can edit it.",
    };

    private static string StateMessage(DraftAction action, DraftStatus status, bool owner, bool reviewer) => action switch
    {
        DraftAction.Edit when status is DraftStatus.Approved or DraftStatus.Published => $"A draft that is {status} can no longer be edited.",
        DraftAction.Edit when owner => $"The draft is {status}: its author can edit it again once it is rejected.",
        DraftAction.Edit => $"The draft is {status}: editors edit drafts that are Submitted.",
        _ => $"A draft that is {status} cannot be {Past(action)}.",
    };

    private static string Verb(DraftAction action) => action.ToString().ToLowerInvariant();

    private static string Past(DraftAction action) => action switch
    {
        DraftAction.Submit => "submitted",
        DraftAction.Approve => "approved",
        DraftAction.Reject => "rejected",
        DraftAction.Publish => "published",
        _ => "edited",
    };

    public bool IsOwnedBy(DraftActor actor) => actor.UserId == UserId;

    public void Submit(DraftActor actor, DateTimeOffset now)
    {
        Require(DraftAction.Submit, actor);
        Status = DraftStatus.Submitted;
        SubmittedAt = now.ToUniversalTime();
        Changed(DraftEventKind.Submitted, actor, now);
    }

    /// <param name="expectedRevision">The revision the editor read; approving stands for that text, so a newer one is a conflict.</param>
    public void Approve(DraftActor actor, DateTimeOffset now, int? expectedRevision = null)
    {
        Require(DraftAction.Approve, actor);
        RequireRevision(expectedRevision);
        Status = DraftStatus.Approved;
        ApprovedAt = now.ToUniversalTime();
        ApprovedBy = actor.UserId;
        Changed(DraftEventKind.Approved, actor, now);
    }

    public void Reject(DraftActor actor, string reason, DateTimeOffset now)
    {
        Require(DraftAction.Reject, actor);
        reason = (reason ?? "").Trim();
        if (reason.Length == 0) throw new DraftInputException("reason", "A rejection needs a reason the author can act on.");
        if (reason.Length > MaxReasonLength)
            throw new DraftInputException("reason", $"The reason may be at most {MaxReasonLength} characters.");
        Status = DraftStatus.Rejected;
        RejectionReason = reason;
        ApprovedAt = null;
        ApprovedBy = null;
        Changed(DraftEventKind.Rejected, actor, now, detail: reason);
    }

    /// <summary>Publishes at <paramref name="slug"/> (kept from an earlier publication if there was one).</summary>
    public void Publish(DraftActor actor, string slug, DateTimeOffset now, int? expectedRevision = null)
    {
        Require(DraftAction.Publish, actor);
        RequireRevision(expectedRevision);
        if (string.IsNullOrWhiteSpace(slug)) throw new DraftInputException("slug", "A published draft needs a slug.");
        Status = DraftStatus.Published;
        Slug ??= slug;
        PublishedAt = now.ToUniversalTime();
        Changed(DraftEventKind.Published, actor, now, detail: "/a/" + Slug);
    }

    /// <summary>Throws <see cref="DraftRevisionConflictException"/> when the caller acted on another revision than the current one.</summary>
    public void RequireRevision(int? expectedRevision)
    {
        if (expectedRevision is { } expected && expected != Revision)
            throw new DraftRevisionConflictException(Revision, expected);
    }

    /// <summary>
    /// Saves <paramref name="article"/> as the next revision. <paramref name="expectedRevision"/> is the revision the
    /// editor started from: when someone saved since, <see cref="DraftRevisionConflictException"/> says so and nothing
    /// changes. A rejected draft edited by its author is a draft again.
    /// </summary>
    public DraftRevision Edit(
        DraftActor actor, Article article, string markdown, int expectedRevision, DateTimeOffset now,
        RevisionKind kind = RevisionKind.Edited, string? provenanceJson = null, int? restoredFrom = null, Guid? reviseRequestId = null, string? note = null)
    {
        Require(DraftAction.Edit, actor);
        if (expectedRevision != Revision)
            throw new DraftRevisionConflictException(Revision, expectedRevision);
        if (Status == DraftStatus.Rejected)
            Status = DraftStatus.Draft;
        Revision++;
        Title = article.Title;
        ArticleJson = JsonSerializer.Serialize(article, HatchJson.Options);
        Markdown = markdown;
        var revision = DraftRevision.Create(this, Revision, actor.UserId, kind, now, provenanceJson, restoredFrom, reviseRequestId, note);
        Revisions.Add(revision);
        var eventKind = kind switch
        {
            RevisionKind.Revised => DraftEventKind.Revised,
            RevisionKind.Restored => DraftEventKind.Restored,
            _ => DraftEventKind.Edited,
        };
        var detail = kind switch
        {
            RevisionKind.Restored => $"revision {Revision} restores revision {restoredFrom}",
            RevisionKind.Revised => $"revision {Revision}: {note}",
            _ => $"revision {Revision}",
        };
        Changed(eventKind, actor, now, detail: detail, revision: Revision);
        return revision;
    }

    /// <summary>
    /// Replaces the grounding check stored with the draft after an edit re-checked the parts it touched; null says the
    /// edited draft could not be checked, rather than keep a report about text that is gone.
    /// </summary>
    public void Regrounded(GroundingReport? report) =>
        ProvenanceJson = JsonSerializer.Serialize(Provenance with { Grounding = report }, HatchJson.Options);

    private void Changed(DraftEventKind kind, DraftActor actor, DateTimeOffset now, string? detail = null, int? revision = null)
    {
        Version++;
        UpdatedAt = now.ToUniversalTime();
        Events.Add(DraftEvent.Create(this, kind, actor.UserId, now, detail, revision ?? Revision));
    }
}

/// <summary>A highlight given to a draft's writer, with the number the draft cites it by.</summary>
public sealed class DraftHighlight
{
    public Guid DraftId { get; set; }
    public int Number { get; set; }
    public Guid HighlightId { get; set; }
    public StoredHighlight? Highlight { get; set; }
}

/// <summary>An action that is illegal from the draft's current state; the API answers 409 with <see cref="Current"/>.</summary>
public sealed class DraftWorkflowException(DraftStatus current, DraftAction action, string message) : InvalidOperationException(message)
{
    public DraftStatus Current { get; } = current;
    public DraftAction Action { get; } = action;
}

/// <summary>The actor may not take the action on this draft whatever its state; the API answers 403.</summary>
public sealed class DraftPermissionException(DraftAction action, string message) : InvalidOperationException(message)
{
    public DraftAction Action { get; } = action;
}

/// <summary>An edit started from an older revision than the current one; nothing was saved.</summary>
public sealed class DraftRevisionConflictException(int current, int expected)
    : InvalidOperationException($"The draft is at revision {current}, but this edit started from revision {expected}.")
{
    public int Current { get; } = current;
    public int Expected { get; } = expected;
}

/// <summary>A request's input is wrong (an empty reason, a section that does not exist); the API answers 400 naming <see cref="Field"/>.</summary>
public sealed class DraftInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
