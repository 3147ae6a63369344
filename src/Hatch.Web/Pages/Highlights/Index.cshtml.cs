using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Features.Hatching;
using Hatch.Features.Library;
using Hatch.Web.Api;
using Hatch.Writing.Importing;
using Hatch.Writing.Themes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Pages.Highlights;

public sealed class IndexModel(
    HatchDbContext db, HighlightIntake intake, HatchScheduler scheduler, EmbeddingStore embeddings, NearDuplicateChecker duplicates, HighlightSearch search, IOptions<WebOptions> web) : UserPageModel
{
    public const int PageSize = 100;

    public sealed class HatchForm
    {
        /// <summary>selected | source | tag | all</summary>
        public string Scope { get; set; } = "selected";
        public List<Guid> Ids { get; set; } = [];
        public string? ScopeSource { get; set; }
        public string? ScopeTag { get; set; }
        public string Style { get; set; } = "essay";
        public string Length { get; set; } = "medium";
        public string Language { get; set; } = "en";
    }

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Source { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tag { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    /// <summary>Keyset paging of the library in reading order: the cursor of the page before (see <see cref="ReadingCursor"/>).</summary>
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    /// <summary>The cursor of the next page in reading order; null on the last page and for ranked search results.</summary>
    public string? NextCursor { get; private set; }

    /// <summary>words (anywhere, as before), keyword (full-text), semantic (by meaning) or hybrid (both, fused).</summary>
    [BindProperty(SupportsGet = true)] public string? Mode { get; set; }

    public static readonly IReadOnlyList<(string Value, string Label)> Modes =
        [("hybrid", "Meaning and words"), ("semantic", "Meaning only"), ("keyword", "Exact words"), ("words", "Words anywhere (text, note, source)")];

    /// <summary>Ideas waiting to hatch: themes of the library spanning two or more sources.</summary>
    public IReadOnlyList<ThemeSuggestion> Themes { get; private set; } = [];

    /// <summary>True while a large library's ideas are worked out in the background; <see cref="Themes"/> are then the previous ones.</summary>
    public bool IdeasComputing { get; private set; }
    public int PendingEmbeddings { get; private set; }

    /// <summary>Highlights reported as probable duplicates (at import or by the embedding job afterwards), newest first.</summary>
    public IReadOnlyList<ProbableDuplicate> ProbableDuplicates { get; private set; } = [];

    [BindProperty] public HatchForm Hatch { get; set; } = new();

    public IReadOnlyList<StoredHighlight> Items { get; private set; } = [];

    /// <summary>Notes that annotate no highlight, kept on their books: the chosen source's, or the newest of all.</summary>
    public IReadOnlyList<StoredSourceNote> SourceNotes { get; private set; } = [];
    public int SourceNoteCount { get; private set; }
    public const int SourceNotesShown = 100;
    public int Total { get; private set; }
    public int LibrarySize { get; private set; }
    public IReadOnlyList<(string Title, int Count)> Sources { get; private set; } = [];
    public IReadOnlyList<string> Tags { get; private set; } = [];
    public ImportReport? Report { get; private set; }
    public string? ReportFile { get; private set; }
    public string? ImportError { get; private set; }

    /// <summary>The Format list's choice, kept after a post so a retry starts from it.</summary>
    public string ImportFormat { get; private set; } = HighlightImporters.AutoFormat;
    public IReadOnlyList<ImportRejection> ImportErrorIssues { get; private set; } = [];
    public string? HatchError { get; private set; }
    public long MaxUploadBytes => web.Value.MaxUploadBytes;
    public int PageCount => Math.Max(1, (int)Math.Ceiling(Total / (double)PageSize));
    public IReadOnlyList<string> Styles => ArticleOptions.Styles;
    public IReadOnlyList<string> Lengths => ArticleOptions.Lengths;

    public HighlightFilter Filter => new(Q, Source, Tag, From, To);

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.SemanticSearch)]
    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Import)]
    public async Task<IActionResult> OnPostImportAsync(IFormFile? upload, string? format, CancellationToken ct)
    {
        ImportFormat = ImportFormats.IsKnown(format) ? ImportFormats.OrAuto(format) : HighlightImporters.AutoFormat;
        if (!ImportFormats.IsKnown(format))
            ImportError = "Choose a format from the Format list.";
        else if (upload is null || upload.Length == 0)
            ImportError = "Choose an export file to import.";
        else if (upload.Length > MaxUploadBytes)
            ImportError = $"That file is larger than the {MaxUploadBytes / (1024 * 1024.0):0.#} MB limit.";
        else
        {
            try
            {
                Report = await intake.ImportAsync(UserId, await HighlightsApi.ReadTextAsync(upload, ct), upload.FileName, ImportFormat, ct);
                ReportFile = upload.FileName;
            }
            catch (ImportException ex)
            {
                ImportError = ImportFormats.PageMessage(ex);
                ImportErrorIssues = ex.Issues.Select(i => new ImportRejection(i.Line, i.Message)).ToArray();
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Hatch)]
    public async Task<IActionResult> OnPostHatchAsync(CancellationToken ct)
    {
        var selection = Hatch.Scope switch
        {
            "source" when !string.IsNullOrWhiteSpace(Hatch.ScopeSource) => new HatchSelection(Source: Hatch.ScopeSource),
            "tag" when !string.IsNullOrWhiteSpace(Hatch.ScopeTag) => new HatchSelection(Tag: Hatch.ScopeTag),
            "all" => HatchSelection.All,
            "selected" when Hatch.Ids.Count > 0 => new HatchSelection(HighlightIds: Hatch.Ids),
            "selected" => null,
            _ => null,
        };
        if (selection is null)
        {
            HatchError = Hatch.Scope == "selected"
                ? "Tick at least one highlight, or choose a whole source, a tag, or all highlights."
                : "Choose which source or tag to hatch from.";
        }
        else
        {
            var result = await scheduler.SubmitAsync(UserId, selection, new HatchSettings(Hatch.Style, Hatch.Language.Trim(), Hatch.Length), ct);
            if (result.Outcome == SubmitOutcome.Accepted)
                return RedirectToPage("/Hatches/Status", new { id = result.Request!.Id });
            HatchError = result.Problem;
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>One click on a suggested idea: exactly the theme's highlights, with the default settings.</summary>
    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Hatch)]
    public async Task<IActionResult> OnPostHatchThemeAsync([FromForm] List<Guid> themeIds, CancellationToken ct)
    {
        if (themeIds.Count == 0)
            HatchError = "That idea has no highlights any more; the suggestions have been refreshed.";
        else
        {
            var result = await scheduler.SubmitAsync(UserId, new HatchSelection(HighlightIds: themeIds), new HatchSettings("essay", "en", "medium"), ct);
            if (result.Outcome == SubmitOutcome.Accepted)
                return RedirectToPage("/Hatches/Status", new { id = result.Request!.Id });
            HatchError = result.Problem;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var mine = db.HighlightsOf(UserId).AsNoTracking();
        LibrarySize = await mine.CountAsync(ct);
        if (SearchModeOf(Mode) is { } mode && !string.IsNullOrWhiteSpace(Q))
        {
            var ranked = await HighlightsApi.RankedAsync(db, search, UserId, Q, mode, Filter with { Q = null }, ct);
            Total = ranked.Count;
            PageNumber = Math.Clamp(PageNumber, 1, PageCount);
            Items = ranked.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToArray();
        }
        else
        {
            var matching = mine.Matching(Filter);
            Total = await matching.CountAsync(ct);
            PageNumber = Math.Clamp(PageNumber, 1, PageCount);
            // An unreadable cursor (an edited link) starts from the first page rather than failing the page.
            var after = string.IsNullOrEmpty(After) ? null : ReadingCursor.Decode(After);
            if (after is null) After = null;
            var (items, next) = await matching.PageInReadingOrderAsync(after, PageSize, ct);
            Items = items;
            NextCursor = next?.Encode();
        }
        if (LibrarySize > 0)
        {
            var ideas = await embeddings.IdeasAsync(UserId, LibrarySize, ct);
            Themes = ideas.Themes;
            IdeasComputing = ideas.Computing;
            PendingEmbeddings = await embeddings.CountMissingAsync(UserId, ct);
            ProbableDuplicates = await duplicates.ReportedAsync(UserId, 50, ct);
        }
        var notes = db.SourceNotesOf(UserId).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Source)) notes = notes.Where(n => n.SourceTitle == Source);
        SourceNoteCount = await notes.CountAsync(ct);
        SourceNotes = SourceNoteCount == 0 ? [] :
            await notes.OrderBy(n => n.SourceTitle).ThenByDescending(n => n.ImportedAt).ThenBy(n => n.Id).Take(SourceNotesShown).ToListAsync(ct);
        Sources = (await mine.GroupBy(h => h.SourceTitle).Select(g => new { g.Key, Count = g.Count() }).OrderBy(g => g.Key).ToListAsync(ct))
            .Select(g => (g.Key, g.Count)).ToArray();
        Tags = (await mine.Where(h => h.Tags != "").Select(h => h.Tags).Distinct().ToListAsync(ct))
            .SelectMany(t => t.Split(StoredHighlight.TagSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public string PageLink(int page) =>
        Url.Page("/Highlights/Index", new { Q, Source, Tag, From = From?.ToString("yyyy-MM-dd"), To = To?.ToString("yyyy-MM-dd"), Mode, p = page })!;

    /// <summary>The library page after this one in reading order (or the first page, with a null cursor).</summary>
    public string CursorLink(string? after) =>
        Url.Page("/Highlights/Index", new { Q, Source, Tag, From = From?.ToString("yyyy-MM-dd"), To = To?.ToString("yyyy-MM-dd"), after })!;

    /// <summary>Ranked search results page by number; the library pages by cursor.</summary>
    public bool IsRanked => SearchModeOf(Mode) is not null && !string.IsNullOrWhiteSpace(Q);

    private static SearchMode? SearchModeOf(string? mode) => mode?.ToLowerInvariant() switch
    {
        "keyword" => SearchMode.Keyword,
        "semantic" => SearchMode.Semantic,
        "hybrid" => SearchMode.Hybrid,
        _ => null,
    };
}
