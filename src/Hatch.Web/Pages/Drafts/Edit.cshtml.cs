using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Features.Review;
using Hatch.Writing.Rendering;
using Microsoft.AspNetCore.Mvc;

namespace Hatch.Web.Pages.Drafts;

/// <summary>
/// The editor form: title, overview, each section (heading, body, citations), advice, conclusion. A save is the next
/// revision; a save that started from an older revision is refused with both versions on the page (yours stays in the
/// form, the current one is shown beside it), so nothing is lost.
/// </summary>
public sealed class EditModel(HatchDbContext db, ReviewService review) : UserPageModel
{
    public sealed class SectionInput
    {
        public string? Heading { get; set; }
        public string? Body { get; set; }
        public string? Citations { get; set; }
    }

    public sealed class AdviceInput
    {
        public string? Title { get; set; }
        public string? Detail { get; set; }
        public string? Citations { get; set; }
    }

    public sealed class EditForm
    {
        public int ExpectedRevision { get; set; }
        public string? Title { get; set; }
        public string? Overview { get; set; }
        public List<SectionInput> Sections { get; set; } = [];
        public List<AdviceInput> Advice { get; set; } = [];
        public string? Conclusion { get; set; }
    }

    [BindProperty]
    public EditForm Form { get; set; } = new();

    public Draft Draft { get; private set; } = null!;
    public IReadOnlyList<NumberedHighlight> Sources { get; private set; } = [];

    /// <summary>After a conflict: the version someone else saved, shown beside the form.</summary>
    public ArticleBody? Current { get; private set; }
    public int? CurrentRevision { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } missing) return missing;
        if (!Draft.Allows(DraftAction.Edit, await ActorAsync(ct)))
        {
            Error = $"You cannot edit this draft while it is {Draft.Status}.";
        }
        Form = ToForm(Draft.Article, Draft.Revision);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, string? addSection, string? addAdvice, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } missing) return missing;
        if (addSection is not null) { Form.Sections.Add(new SectionInput()); ModelState.Clear(); return Page(); }
        if (addAdvice is not null) { Form.Advice.Add(new AdviceInput()); ModelState.Clear(); return Page(); }

        var article = ToArticle(Form);
        if (!ModelState.IsValid) return Page();
        var outcome = await review.EditAsync(id, await ActorAsync(ct), article, Form.ExpectedRevision, ct);
        switch (outcome.Kind)
        {
            case ReviewOutcomeKind.Ok:
                TempData["Message"] = $"Saved as revision {outcome.Draft!.Revision}.";
                return RedirectToPage("View", new { id });
            case ReviewOutcomeKind.NotFound:
                return NotFound();
            case ReviewOutcomeKind.Conflict when outcome.Conflict is { } conflict:
                Error = $"Someone saved revision {conflict.CurrentRevision} while you were editing revision {conflict.ExpectedRevision}. " +
                        "Nothing was saved. Your version is still in the form; the current version is shown beside it. " +
                        $"Merge what you need and save again to make revision {conflict.CurrentRevision + 1}.";
                var document = Draft.ToDocument() with { Article = conflict.Current };
                Current = new ArticleBody(conflict.Current, $"Revision {conflict.CurrentRevision}", null, ArticleBody.CitedIn(conflict.Current, document.Highlights));
                CurrentRevision = conflict.CurrentRevision;
                // The next save is made knowingly, on top of what is there now.
                Form.ExpectedRevision = conflict.CurrentRevision;
                ModelState.Remove("Form.ExpectedRevision");
                return Page();
            case ReviewOutcomeKind.Invalid:
                foreach (var (key, messages) in outcome.Errors ?? new Dictionary<string, string[]>())
                    foreach (var m in messages) ModelState.AddModelError(key, m);
                Error = "The article has problems; nothing was saved.";
                return Page();
            default:
                Error = outcome.Message;
                return Page();
        }
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken ct)
    {
        var draft = await review.FindAsync(id, await ActorAsync(ct), ct);
        if (draft is null) return NotFound();
        Draft = draft;
        var document = draft.ToDocument();
        Sources = draft.IsOwnedBy(await ActorAsync(ct)) ? document.Highlights : ArticleBody.CitedIn(document.Article, document.Highlights);
        ViewData["Title"] = "Edit: " + draft.Title;
        return null;
    }

    private DraftActor? _actor;

    private async Task<DraftActor> ActorAsync(CancellationToken ct) => _actor ??= await ReviewService.ActorAsync(db, UserId, ct);

    private static EditForm ToForm(Article a, int revision) => new()
    {
        ExpectedRevision = revision,
        Title = a.Title,
        Overview = a.Overview,
        Sections = a.Sections.Select(s => new SectionInput { Heading = s.Heading, Body = s.Body, Citations = string.Join(", ", s.Citations) }).ToList(),
        Advice = a.Advice.Select(x => new AdviceInput { Title = x.Title, Detail = x.Detail, Citations = string.Join(", ", x.Citations) }).ToList(),
        Conclusion = a.Conclusion,
    };

    /// <summary>The form as an article; empty rows are dropped, unreadable citation lists are model errors.</summary>
    private Article ToArticle(EditForm form)
    {
        var sections = new List<ArticleSection>();
        for (var i = 0; i < form.Sections.Count; i++)
        {
            var s = form.Sections[i];
            if (string.IsNullOrWhiteSpace(s.Heading) && string.IsNullOrWhiteSpace(s.Body)) continue;
            sections.Add(new ArticleSection(s.Heading ?? "", s.Body ?? "", Numbers(s.Citations, $"sections[{sections.Count}]")));
        }
        var advice = new List<AdviceItem>();
        for (var i = 0; i < form.Advice.Count; i++)
        {
            var x = form.Advice[i];
            if (string.IsNullOrWhiteSpace(x.Title) && string.IsNullOrWhiteSpace(x.Detail)) continue;
            advice.Add(new AdviceItem(x.Title ?? "", x.Detail ?? "", Numbers(x.Citations, $"advice[{advice.Count}]")));
        }
        return new Article(form.Title ?? "", form.Overview ?? "", sections, advice, form.Conclusion ?? "", 1);
    }

    private int[] Numbers(string? text, string key)
    {
        var numbers = new List<int>();
        foreach (var part in (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(part.Trim('[', ']'), out var n)) numbers.Add(n);
            else ModelState.AddModelError(key, $"{key}: \"{part}\" is not a highlight number; write numbers like 1, 3.");
        }
        return numbers.ToArray();
    }

    public static string Quote(NumberedHighlight h) => DraftRenderer.Quote(h.Highlight.Text);
}
