using System.Text;
using System.Text.RegularExpressions;
using Hatch.Core.Data;
using Hatch.Core.Domain;
using Hatch.Core.Rendering;
using Microsoft.AspNetCore.Mvc;

namespace Hatch.Web.Pages.Drafts;

public sealed partial class ViewModel(HatchDbContext db, EmbeddingStore embeddings) : UserPageModel
{
    /// <summary>A run of text or a citation marker; the page encodes the text and links the numbers.</summary>
    public sealed record Segment(string? Text, IReadOnlyList<int>? Citations);

    public StoredDraft Draft { get; private set; } = null!;
    public DraftDocument Document { get; private set; } = null!;
    public IReadOnlyDictionary<int, Guid> HighlightIds { get; private set; } = new Dictionary<int, Guid>();

    /// <summary>
    /// Every highlight the article points at: its citation lists and the [n] markers inside its text (an overview
    /// may cite inline without a list), so each marker on the page has a source to land on.
    /// </summary>
    public IReadOnlyList<NumberedHighlight> Cited { get; private set; } = [];

    /// <summary>Beside each section (same order as the article's sections): highlights of the library close in meaning that it did not use.</summary>
    public IReadOnlyList<IReadOnlyList<Hatch.Web.Api.RelatedDto>> RelatedBySection { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var draft = await db.FindDraftAsync(UserId, id, ct);
        if (draft is null) return NotFound();
        Draft = draft;
        Document = draft.ToDocument();
        HighlightIds = draft.Highlights.ToDictionary(h => h.Number, h => h.HighlightId);
        var article = Document.Article;
        var texts = new[] { article.Overview, article.Conclusion }
            .Concat(article.Sections.Select(s => s.Body)).Concat(article.Advice.Select(a => a.Detail));
        var numbers = article.AllCitations()
            .Concat(texts.SelectMany(t => Segments(t).Where(s => s.Citations is not null).SelectMany(s => s.Citations!)))
            .ToHashSet();
        Cited = Document.Highlights.Where(h => numbers.Contains(h.Number)).ToArray();

        var groups = article.Sections
            .Select(s => (IReadOnlyList<Guid>)s.Citations.Concat(Hatch.Core.Domain.Citations.Inline(s.Body))
                .Where(HighlightIds.ContainsKey).Select(n => HighlightIds[n]).Distinct().ToArray())
            .ToArray();
        var related = await embeddings.RelatedToGroupsAsync(UserId, groups, 3, ct);
        var all = related.SelectMany(r => r).DistinctBy(r => r.Id).ToArray();
        var described = (await Hatch.Web.Api.SemanticApi.DescribeAsync(db, UserId, all, ct)).ToDictionary(r => r.Id);
        RelatedBySection = related
            .Select(r => (IReadOnlyList<Hatch.Web.Api.RelatedDto>)r.Where(x => described.ContainsKey(x.Id)).Select(x => described[x.Id] with { Score = Math.Round(x.Score, 4) }).ToArray())
            .ToArray();
        return Page();
    }

    public async Task<IActionResult> OnGetDownloadAsync(Guid id, string format, CancellationToken ct)
    {
        var draft = await db.FindDraftAsync(UserId, id, ct);
        if (draft is null) return NotFound();
        var (kind, type, extension) = format?.ToLowerInvariant() switch
        {
            "html" => (DraftFormat.Html, "text/html", "html"),
            "json" => (DraftFormat.Json, "application/json", "json"),
            _ => (DraftFormat.Markdown, "text/markdown", "md"),
        };
        var text = kind == DraftFormat.Markdown ? draft.Markdown : DraftRenderer.Render(draft.ToDocument(), kind);
        return File(Encoding.UTF8.GetBytes(text), type + "; charset=utf-8", $"{Slug(draft.Title)}.{extension}");
    }

    public static IEnumerable<string> Paragraphs(string text) =>
        ParagraphBreak().Split(text.Replace("\r\n", "\n")).Select(p => p.Trim()).Where(p => p.Length > 0);

    /// <summary>Splits text at its inline [n] / [n, m] markers; appends the item's citations when the text has none.</summary>
    public static IReadOnlyList<Segment> Segments(string text, IReadOnlyList<int>? citations = null)
    {
        var segments = new List<Segment>();
        var last = 0;
        foreach (Match m in Citation().Matches(text))
        {
            // "like them [1]." reads as "like them¹." : the space before a marker goes.
            if (m.Index > last) segments.Add(new Segment(text[last..m.Index].TrimEnd(), null));
            segments.Add(new Segment(null, m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()));
            last = m.Index + m.Length;
        }
        if (last < text.Length) segments.Add(new Segment(text[last..], null));
        if (citations is { Count: > 0 } && !segments.Any(s => s.Citations is not null))
        {
            if (segments is [.., { Text: { } tail }]) segments[^1] = new Segment(tail.TrimEnd(), null);
            segments.Add(new Segment(null, citations.Distinct().Order().ToArray()));
        }
        return segments;
    }

    private static string Slug(string title)
    {
        var slug = NonWord().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "draft" : slug[..Math.Min(slug.Length, 60)].Trim('-');
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Citation();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWord();
}
