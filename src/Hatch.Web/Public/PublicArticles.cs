using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Highlights;
using Hatch.Writing.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Public;

/// <summary>A published article as the public sees it: no notes, no highlight that is not cited.</summary>
public sealed record PublishedArticle(
    Guid Id, string Slug, string AuthorId, string AuthorName, DateTimeOffset PublishedAt, DateTimeOffset UpdatedAt, string Language,
    Article Article, IReadOnlyList<NumberedHighlight> Sources)
{
    public string Byline => $"Hatched by {AuthorName} · {PublishedAt.ToString("MMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture)} · {Article.ReadingMinutes} min read";

    public string Path => "/a/" + Uri.EscapeDataString(Slug);
}

/// <summary>Published articles at /a/{slug}, and their Atom feeds for the site (/feed.atom) and per author (/authors/{id}/feed.atom).</summary>
public static class PublicArticles
{
    public const int FeedSize = 50;
    public const string AtomMediaType = "application/atom+xml";

    public static async Task<PublishedArticle?> FindAsync(HatchDbContext db, string slug, CancellationToken ct)
    {
        var draft = await db.Drafts.AsNoTracking()
            .Include(d => d.Highlights).ThenInclude(h => h.Highlight)
            .AsSplitQuery()
            .FirstOrDefaultAsync(d => d.Slug == slug && d.Status == DraftStatus.Published, ct);
        if (draft is null) return null;
        var names = await AuthorNamesAsync(db, [draft.UserId], ct);
        return ToPublic(draft, names[draft.UserId]);
    }

    public static PublishedArticle ToPublic(Draft draft, string? displayName)
    {
        var document = draft.ToDocument();
        // Only what the article cites, and of each highlight only its text and where it came from.
        var sources = Pages.ArticleBody.CitedIn(document.Article, document.Highlights)
            .Select(h => new NumberedHighlight(h.Number, new Highlight { Text = h.Highlight.Text, Source = h.Highlight.Source, Location = h.Highlight.Location }))
            .ToArray();
        return new PublishedArticle(draft.Id, draft.Slug!, draft.UserId, HatchUser.PublicName(displayName, draft.AuthorName),
            draft.PublishedAt!.Value, draft.UpdatedAt, draft.Language, document.Article, sources);
    }

    private static async Task<Dictionary<string, string?>> AuthorNamesAsync(HatchDbContext db, IEnumerable<string> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        var names = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct);
        var map = names.ToDictionary(u => u.Id, u => u.DisplayName);
        foreach (var id in wanted) map.TryAdd(id, null);
        return map;
    }

    public static IEndpointRouteBuilder MapPublicArticles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feed.atom", (HttpContext http, HatchDbContext db, CancellationToken ct) => FeedAsync(http, db, null, ct))
            .AllowAnonymous().WithTags("Public").WithSummary("Atom feed of the site's published articles, newest first.");
        app.MapGet("/authors/{author}/feed.atom", (string author, HttpContext http, HatchDbContext db, CancellationToken ct) => FeedAsync(http, db, author, ct))
            .AllowAnonymous().WithTags("Public").WithSummary("Atom feed of one author's published articles (by user id).");
        return app;
    }

    private static async Task<IResult> FeedAsync(HttpContext http, HatchDbContext db, string? author, CancellationToken ct)
    {
        var query = db.Drafts.AsNoTracking().Where(d => d.Status == DraftStatus.Published);
        string? authorName = null;
        if (author is not null)
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Id == author).Select(u => new { u.Id, u.DisplayName }).FirstOrDefaultAsync(ct);
            if (user is null) return TypedResults.Problem(statusCode: 404, title: "No such author");
            query = query.Where(d => d.UserId == user.Id);
            authorName = HatchUser.PublicName(user.DisplayName, null);
        }
        var drafts = await query.OrderByDescending(d => d.PublishedAt).ThenBy(d => d.Id).Take(FeedSize)
            .Include(d => d.Highlights).ThenInclude(h => h.Highlight).AsSplitQuery().ToListAsync(ct);
        var names = await AuthorNamesAsync(db, drafts.Select(d => d.UserId), ct);
        var articles = drafts.Select(d => ToPublic(d, names[d.UserId])).ToList();

        var site = new Uri($"{http.Request.Scheme}://{http.Request.Host}/");
        var self = new Uri(site, http.Request.Path);
        var feed = new SyndicationFeed(
            author is null ? "Hatch: published articles" : $"Hatch: articles hatched by {authorName}",
            "Articles drafted from readers' highlights, every claim citing its source.",
            site)
        {
            Id = self.AbsoluteUri,
            LastUpdatedTime = articles.Count == 0 ? DateTimeOffset.UnixEpoch : articles.Max(a => a.PublishedAt),
            Items = articles.Select(a => Item(a, site)).ToList(),
        };
        feed.Links.Add(new SyndicationLink(self) { RelationshipType = "self", MediaType = AtomMediaType });

        var buffer = new MemoryStream();
        // XmlWriter encodes every title and text node; no untrusted string is written raw.
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false }))
            new Atom10FeedFormatter(feed).WriteTo(writer);
        return TypedResults.Bytes(buffer.ToArray(), AtomMediaType + "; charset=utf-8");
    }

    private static SyndicationItem Item(PublishedArticle a, Uri site)
    {
        var link = new Uri(site, a.Path);
        var item = new SyndicationItem(a.Article.Title, a.Article.Overview, link, link.AbsoluteUri, a.UpdatedAt)
        {
            PublishDate = a.PublishedAt,
            Summary = new TextSyndicationContent(Plain(a.Article.Overview)),
            Content = new TextSyndicationContent(Html(a), TextSyndicationContentKind.Html),
        };
        item.Authors.Add(new SyndicationPerson { Name = a.AuthorName, Uri = new Uri(site, $"/authors/{Uri.EscapeDataString(a.AuthorId)}/feed.atom").AbsoluteUri });
        return item;
    }

    private static string Plain(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    /// <summary>The article as HTML for the feed's content, every piece of text encoded (the feed writer then escapes it again as XML text).</summary>
    private static string Html(PublishedArticle a)
    {
        var document = new DraftDocument(a.Article, a.Sources, new DraftProvenance { Writer = "Hatch", CreatedAt = a.PublishedAt }, a.AuthorName, a.Language);
        var html = DraftRenderer.Html(document);
        var start = html.IndexOf("<article>", StringComparison.Ordinal);
        var end = html.LastIndexOf("</article>", StringComparison.Ordinal);
        return start >= 0 && end > start ? html[start..(end + "</article>".Length)] : html;
    }
}
