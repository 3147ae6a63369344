using Hatch.Domain.Articles;
using Hatch.Web.Api;

namespace Hatch.Web.Pages;

/// <summary>What the shared article partial renders: the draft page, the public page and a revision all use it.</summary>
public sealed record ArticleBody(
    Article Article,
    string Byline,
    string? Disclosure,
    IReadOnlyList<NumberedHighlight> Cited,
    IReadOnlyDictionary<int, Guid>? LibraryIds = null,
    IReadOnlyList<IReadOnlyList<RelatedDto>>? RelatedBySection = null)
{
    /// <summary>
    /// Every highlight the article points at: its citation lists and the [n] markers inside its text (an overview may
    /// cite inline without a list), so each marker on the page has a source to land on.
    /// </summary>
    public static IReadOnlyList<NumberedHighlight> CitedIn(Article article, IEnumerable<NumberedHighlight> highlights)
    {
        var texts = new[] { article.Overview, article.Conclusion }
            .Concat(article.Sections.Select(s => s.Body)).Concat(article.Advice.Select(a => a.Detail));
        var numbers = article.AllCitations()
            .Concat(texts.SelectMany(t => ArticleText.Segments(t).Where(s => s.Citations is not null).SelectMany(s => s.Citations!)))
            .ToHashSet();
        return highlights.Where(h => numbers.Contains(h.Number)).ToArray();
    }
}
