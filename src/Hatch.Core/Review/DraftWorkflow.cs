using Hatch.Core.Data;

namespace Hatch.Core.Review;

/// <summary>Who is acting on a draft: a signed-in user and whether they hold the Editor or Admin role.</summary>
public sealed record DraftActor(string UserId, bool IsEditor = false, bool IsAdmin = false)
{
    /// <summary>Editors review; an Admin can do whatever an Editor can.</summary>
    public bool IsReviewer => IsEditor || IsAdmin;
}

/// <summary>What can be done to a draft. Revising a section with the model and restoring a revision are edits.</summary>
public enum DraftAction { Edit, Submit, Approve, Reject, Publish }

/// <summary>
/// The workflow's rules in one place, for the domain methods (which throw), the API and the pages (which show
/// only what the current user may do).
/// <list type="bullet">
/// <item>Who may see a draft: its author always; editors and admins once it has been submitted.</item>
/// <item>Who may do what: the author submits; reviewers (Editor or Admin) approve and reject, but never their own
/// draft; reviewers publish; the author edits while it is a Draft or Rejected, reviewers while it is Submitted.</item>
/// <item>From which state: Draft|Rejected → Submitted; Submitted → Approved; Submitted|Approved → Rejected;
/// Approved → Published; edits keep Draft and Submitted, and turn Rejected back into Draft.</item>
/// </list>
/// </summary>
public static class DraftWorkflow
{
    public const int MaxReasonLength = 2000;

    public static IReadOnlyList<DraftAction> AllActions { get; } = Enum.GetValues<DraftAction>();

    public static bool CanSee(StoredDraft draft, DraftActor actor) =>
        draft.IsOwnedBy(actor) || (actor.IsReviewer && draft.SubmittedAt is not null);

    /// <summary>Whether the actor's relation to the draft allows the action at all, whatever its state.</summary>
    public static bool HasRole(DraftAction action, bool owner, bool reviewer) => action switch
    {
        DraftAction.Submit => owner,
        DraftAction.Approve or DraftAction.Reject => reviewer && !owner,
        DraftAction.Publish => reviewer,
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
        DraftAction.Edit => (owner && status is DraftStatus.Draft or DraftStatus.Rejected) || (reviewer && status is DraftStatus.Submitted),
        _ => false,
    };

    public static bool Can(StoredDraft draft, DraftAction action, DraftActor actor)
    {
        var owner = draft.IsOwnedBy(actor);
        return CanSee(draft, actor) && HasRole(action, owner, actor.IsReviewer) && AllowedIn(action, draft.Status, owner, actor.IsReviewer);
    }

    /// <summary>The actions the actor may take now, for the page's buttons.</summary>
    public static IReadOnlyList<DraftAction> Available(StoredDraft draft, DraftActor actor) =>
        AllActions.Where(a => Can(draft, a, actor)).ToArray();

    /// <summary>Throws unless the actor may take the action now: a permission problem first, then the state.</summary>
    public static void Require(StoredDraft draft, DraftAction action, DraftActor actor)
    {
        var owner = draft.IsOwnedBy(actor);
        if (!CanSee(draft, actor) || !HasRole(action, owner, actor.IsReviewer))
            throw new DraftPermissionException(action, PermissionMessage(action, owner, actor.IsReviewer));
        if (!AllowedIn(action, draft.Status, owner, actor.IsReviewer))
            throw new DraftWorkflowException(draft.Status, action, StateMessage(action, draft.Status, owner, actor.IsReviewer));
    }

    private static string PermissionMessage(DraftAction action, bool owner, bool reviewer) => action switch
    {
        DraftAction.Submit => "Only the draft's author can submit it for review.",
        DraftAction.Approve or DraftAction.Reject when owner && reviewer => $"Nobody may {Verb(action)} their own draft; another editor must review it.",
        DraftAction.Approve or DraftAction.Reject or DraftAction.Publish => $"Only an editor or an admin can {Verb(action)} a draft.",
        _ => "Only the draft's author or an editor can edit it.",
    };

    private static string StateMessage(DraftAction action, DraftStatus status, bool owner, bool reviewer) => action switch
    {
        DraftAction.Edit when status is DraftStatus.Approved or DraftStatus.Published => $"A draft that is {status} can no longer be edited.",
        DraftAction.Edit when owner && !reviewer => $"The draft is {status}: its author can edit it again once it is rejected.",
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
