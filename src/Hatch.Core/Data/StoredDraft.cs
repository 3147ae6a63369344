using System.Text.Json;
using Hatch.Core.Domain;
using Hatch.Core.Rendering;
using Hatch.Core.Review;

namespace Hatch.Core.Data;

/// <summary>The review workflow's states; drafts are created as Draft.</summary>
public enum DraftStatus { Draft, Submitted, Approved, Rejected, Published }

/// <summary>
/// The stored result of one hatch request (exactly one per request) and the aggregate of the review workflow:
/// Draft → Submitted → Approved → Published, with Rejected (reason required) → Draft by the author's edit or
/// resubmission. Every change goes through a method here that checks the state and the actor
/// (<see cref="DraftWorkflow"/>) and throws <see cref="DraftWorkflowException"/> or <see cref="DraftPermissionException"/>
/// rather than change anything it may not. The database keeps the same invariants: a check constraint on the
/// status values (and on a published draft's slug and a rejected draft's reason), <see cref="Version"/> as an
/// optimistic concurrency token so two transitions of one loaded state cannot both be saved, and the primary
/// key (draft, number) of <see cref="DraftRevision"/> so two edits cannot both become revision n + 1.
/// </summary>
public sealed class StoredDraft
{
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

    public static StoredDraft From(HatchRequest request, DraftDocument document, IReadOnlyDictionary<string, Guid> highlightIdsByHash, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        var draft = new StoredDraft
        {
            Id = id,
            RequestId = request.Id,
            UserId = request.UserId,
            Title = document.Article.Title,
            ArticleJson = JsonSerializer.Serialize(document.Article, DraftRenderer.JsonOptions),
            Markdown = DraftRenderer.Markdown(document),
            ProvenanceJson = JsonSerializer.Serialize(document.Provenance, DraftRenderer.JsonOptions),
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

    public Article Article => JsonSerializer.Deserialize<Article>(ArticleJson, DraftRenderer.JsonOptions)
        ?? throw new InvalidDataException($"Draft {Id} has no article.");

    public DraftProvenance Provenance => JsonSerializer.Deserialize<DraftProvenance>(ProvenanceJson, DraftRenderer.JsonOptions)
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

    public bool IsOwnedBy(DraftActor actor) => actor.UserId == UserId;

    public void Submit(DraftActor actor, DateTimeOffset now)
    {
        DraftWorkflow.Require(this, DraftAction.Submit, actor);
        Status = DraftStatus.Submitted;
        SubmittedAt = now.ToUniversalTime();
        Changed(DraftEventKind.Submitted, actor, now);
    }

    public void Approve(DraftActor actor, DateTimeOffset now)
    {
        DraftWorkflow.Require(this, DraftAction.Approve, actor);
        Status = DraftStatus.Approved;
        ApprovedAt = now.ToUniversalTime();
        ApprovedBy = actor.UserId;
        Changed(DraftEventKind.Approved, actor, now);
    }

    public void Reject(DraftActor actor, string reason, DateTimeOffset now)
    {
        DraftWorkflow.Require(this, DraftAction.Reject, actor);
        reason = (reason ?? "").Trim();
        if (reason.Length == 0) throw new DraftInputException("reason", "A rejection needs a reason the author can act on.");
        if (reason.Length > DraftWorkflow.MaxReasonLength)
            throw new DraftInputException("reason", $"The reason may be at most {DraftWorkflow.MaxReasonLength} characters.");
        Status = DraftStatus.Rejected;
        RejectionReason = reason;
        ApprovedAt = null;
        ApprovedBy = null;
        Changed(DraftEventKind.Rejected, actor, now, detail: reason);
    }

    /// <summary>Publishes at <paramref name="slug"/> (kept from an earlier publication if there was one).</summary>
    public void Publish(DraftActor actor, string slug, DateTimeOffset now)
    {
        DraftWorkflow.Require(this, DraftAction.Publish, actor);
        if (string.IsNullOrWhiteSpace(slug)) throw new DraftInputException("slug", "A published draft needs a slug.");
        Status = DraftStatus.Published;
        Slug ??= slug;
        PublishedAt = now.ToUniversalTime();
        Changed(DraftEventKind.Published, actor, now, detail: "/a/" + Slug);
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
        DraftWorkflow.Require(this, DraftAction.Edit, actor);
        if (expectedRevision != Revision)
            throw new DraftRevisionConflictException(Revision, expectedRevision);
        if (Status == DraftStatus.Rejected)
            Status = DraftStatus.Draft;
        Revision++;
        Title = article.Title;
        ArticleJson = JsonSerializer.Serialize(article, DraftRenderer.JsonOptions);
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
