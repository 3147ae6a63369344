using System.Text;
using System.Text.RegularExpressions;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Features.Library;
using Hatch.Features.Review;
using Hatch.Llm;
using Hatch.Web.Api;
using Hatch.Writing.Rendering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Pages.Drafts;

/// <summary>
/// A draft for its author and, once submitted, for editors: the article with its cited highlights beside it, the
/// actions the current user may take (and only those), model revision of a section, comments, the revision history
/// and the audit trail.
/// </summary>
public sealed partial class ViewModel(HatchDbContext db, ReviewService review, EmbeddingStore embeddings, IOptions<LlmOptions> llm) : UserPageModel
{

    public sealed record CommentRow(string Author, string Body, int? SectionIndex, DateTimeOffset At);

    public sealed record RevisionRow(int Number, RevisionKind Kind, string Author, DateTimeOffset At, int? RestoredFrom, string? Note);

    public sealed record AuditRow(DraftEventKind Kind, string Who, DateTimeOffset At, string? Detail);

    public Draft Draft { get; private set; } = null!;
    public DraftDocument Document { get; private set; } = null!;
    public ArticleBody Body { get; private set; } = null!;
    public DraftActor Actor { get; private set; } = null!;
    public bool IsOwner { get; private set; }
    public IReadOnlyList<DraftAction> Actions { get; private set; } = [];
    public bool ModelAvailable => llm.Value.Provider != LlmProvider.Extractive;
    public IReadOnlyList<NumberedHighlight> Cited { get; private set; } = [];
    public IReadOnlyList<CommentRow> Comments { get; private set; } = [];
    public IReadOnlyList<RevisionRow> Revisions { get; private set; } = [];
    public IReadOnlyList<AuditRow> Audit { get; private set; } = [];
    public IReadOnlyList<SectionRevisionRequest> Requests { get; private set; } = [];
    public bool HasPendingRevision => Requests.Any(r => !r.IsFinished);
    public string? PublicUrl { get; private set; }

    [TempData] public string? Message { get; set; }
    [TempData] public string? Error { get; set; }

    public bool Can(DraftAction action) => Actions.Contains(action);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Actor = await ReviewService.ActorAsync(db, UserId, ct);
        var draft = await review.FindAsync(id, Actor, ct);
        if (draft is null) return NotFound();
        Draft = draft;
        IsOwner = draft.IsOwnedBy(Actor);
        Actions = draft.ActionsFor(Actor);
        Document = draft.ToDocument();
        Cited = ArticleBody.CitedIn(Document.Article, Document.Highlights);
        // Signed as it will be when published: the author's display name, never their email address.
        var ownerName = await db.Users.AsNoTracking().Where(u => u.Id == draft.UserId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        var byline = DraftRenderer.Byline(Document with { AuthorName = HatchUser.PublicName(ownerName, draft.AuthorName) });
        var libraryIds = draft.Highlights.ToDictionary(h => h.Number, h => h.HighlightId);
        Body = new ArticleBody(Document.Article, byline, DraftRenderer.Disclosure(Document), Cited,
            IsOwner ? libraryIds : null,
            // Related passages come from the owner's own library, so only the owner sees them.
            IsOwner ? await RelatedBySectionAsync(Document.Article, libraryIds, ct) : null);
        PublicUrl = DraftDto.PublicUrlOf(draft, Request);

        var comments = await db.DraftComments.AsNoTracking().Where(c => c.DraftId == id).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        var revisions = await db.DraftRevisions.AsNoTracking().Where(r => r.DraftId == id).OrderByDescending(r => r.Number)
            .Select(r => new { r.Number, r.Kind, r.UserId, r.CreatedAt, r.RestoredFrom, r.Note }).ToListAsync(ct);
        var events = (await db.DraftEvents.AsNoTracking().Where(e => e.DraftId == id).ToListAsync(ct)).OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
        Requests = await db.SectionRevisions.AsNoTracking().Where(r => r.DraftId == id).OrderByDescending(r => r.CreatedAt).Take(5).ToListAsync(ct);
        var names = await UserNames.OfAsync(db, comments.Select(c => c.UserId).Concat(revisions.Select(r => r.UserId)).Concat(events.Select(e => e.UserId)), ct);
        Comments = comments.Select(c => new CommentRow(names[c.UserId], c.Body, c.SectionIndex, c.CreatedAt)).ToArray();
        Revisions = revisions.Select(r => new RevisionRow(r.Number, r.Kind, names[r.UserId], r.CreatedAt, r.RestoredFrom, r.Note)).ToArray();
        Audit = events.Select(e => new AuditRow(e.Kind, names[e.UserId], e.At, e.Detail)).ToArray();
        return Page();
    }

    /// <summary>For each section, highlights from the reader's library that are close in meaning but not cited there.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<RelatedDto>>> RelatedBySectionAsync(
        Article article, IReadOnlyDictionary<int, Guid> libraryIds, CancellationToken ct)
    {
        var groups = article.Sections
            .Select(s => (IReadOnlyList<Guid>)s.Citations.Concat(Citations.Inline(s.Body))
                .Where(libraryIds.ContainsKey).Select(n => libraryIds[n]).Distinct().ToArray())
            .ToArray();
        var related = await embeddings.RelatedToGroupsAsync(UserId, groups, 3, ct);
        var all = related.SelectMany(r => r).DistinctBy(r => r.Id).ToArray();
        var described = (await SemanticApi.DescribeAsync(db, UserId, all, ct)).ToDictionary(r => r.Id);
        return related
            .Select(r => (IReadOnlyList<RelatedDto>)r.Where(x => described.ContainsKey(x.Id)).Select(x => described[x.Id] with { Score = Math.Round(x.Score, 4) }).ToArray())
            .ToArray();
    }

    public Task<IActionResult> OnPostSubmitAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.SubmitAsync(id, a, c), "Submitted for review.", ct);

    public Task<IActionResult> OnPostApproveAsync(Guid id, int expectedRevision, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.ApproveAsync(id, a, expectedRevision, c), "Approved.", ct);

    public Task<IActionResult> OnPostRejectAsync(Guid id, string? reason, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.RejectAsync(id, a, reason, c), "Rejected; the author can edit and resubmit it.", ct);

    public Task<IActionResult> OnPostPublishAsync(Guid id, int expectedRevision, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.PublishAsync(id, a, expectedRevision, c), "Published.", ct);

    public Task<IActionResult> OnPostCommentAsync(Guid id, string? body, int? sectionIndex, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.CommentAsync(id, a, body, sectionIndex, c), "Comment added.", ct);

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Revise)]
    public Task<IActionResult> OnPostReviseAsync(Guid id, int index, string? instruction, CancellationToken ct) =>
        ActAsync(id, (a, c) => review.RequestReviseAsync(id, a, index, instruction, c),
            $"Asked the model to revise section {index + 1}; the result will be a new revision.", ct);

    private async Task<IActionResult> ActAsync(Guid id, Func<DraftActor, CancellationToken, Task<ReviewOutcome>> act, string success, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        var outcome = await act(actor, ct);
        if (outcome.Kind == ReviewOutcomeKind.NotFound) return NotFound();
        if (outcome.Succeeded) Message = success;
        else Error = outcome.Errors is { Count: > 0 } errors ? string.Join(" ", errors.SelectMany(e => e.Value)) : outcome.Message;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnGetDownloadAsync(Guid id, string format, CancellationToken ct)
    {
        var actor = await ReviewService.ActorAsync(db, UserId, ct);
        var draft = await review.FindAsync(id, actor, ct);
        if (draft is null) return NotFound();
        var (kind, type, extension) = format?.ToLowerInvariant() switch
        {
            "html" => (DraftFormat.Html, "text/html", "html"),
            "json" => (DraftFormat.Json, "application/json", "json"),
            _ => (DraftFormat.Markdown, "text/markdown", "md"),
        };
        // A reviewer's download carries the cited highlights only, without the author's notes.
        var document = draft.ToDocument();
        if (!draft.IsOwnedBy(actor))
            document = document with { Highlights = ArticleBody.CitedIn(document.Article, document.Highlights).Select(h => h with { Highlight = h.Highlight with { Note = null } }).ToArray() };
        var text = kind == DraftFormat.Markdown ? draft.Markdown : DraftRenderer.Render(document, kind);
        return File(Encoding.UTF8.GetBytes(text), type + "; charset=utf-8", $"{Slug(draft.Title)}.{extension}");
    }

    /// <summary>Where a grounding flag points, as a person reads it: "section 2, “Heading”".</summary>
    public static string PartName(Article article, string part)
    {
        var match = PartIndex().Match(part);
        var index = match.Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
        return (match.Success ? match.Groups[1].Value : part) switch
        {
            "sections" when index >= 0 && index < article.Sections.Count => $"section {index + 1}, “{article.Sections[index].Heading}”",
            "advice" when index >= 0 && index < article.Advice.Count => $"advice {index + 1}, “{article.Advice[index].Title}”",
            "overview" => "the overview",
            "conclusion" => "the conclusion",
            var other => other,
        };
    }

    [GeneratedRegex(@"^(\w+)\[(\d+)\]$")]
    private static partial Regex PartIndex();

    internal static string Slug(string title)
    {
        var slug = NonWord().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "draft" : slug[..Math.Min(slug.Length, 60)].Trim('-');
    }

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWord();
}
