using Hatch.Data;
using Hatch.Web.Public;
using Hatch.Web.Review;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages.Public;

/// <summary>A published article at its stable public address, for anyone.</summary>
[AllowAnonymous]
public sealed class ArticleModel(HatchDbContext db) : PageModel
{
    public PublishedArticle Article { get; private set; } = null!;
    public ArticleBody Body { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var article = await PublicArticles.FindAsync(db, slug, ct);
        if (article is null) return NotFound();
        Article = article;
        Body = new ArticleBody(article.Article, article.Byline, null, article.Sources);
        return Page();
    }
}
