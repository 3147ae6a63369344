using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Hatch.Data;
using Hatch.Domain.Requests;
using Hatch.Features.Digests;
using Hatch.Writing.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Public;

/// <summary>
/// A reader's private Atom feed of their own digests, at <c>/digests/{token}/feed.atom</c>. A feed reader cannot sign
/// in, so the secret token in the address is the credential (anonymous by design); a regenerated token replaces the
/// old one, which then answers 404 like any unknown address.
/// </summary>
public static class DigestFeed
{
    private const string AtomMediaType = "application/atom+xml";
    private const int FeedSize = 50;

    public static IEndpointRouteBuilder MapDigestFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet("/digests/{token}/feed.atom", FeedAsync)
            .AllowAnonymous().WithTags("Digests")
            .WithSummary("A reader's private Atom feed of their digests; the token comes from POST /api/digest-settings/feed-token.");
        return app;
    }

    private static async Task<IResult> FeedAsync(string token, HttpContext http, HatchDbContext db, DigestSettingsStore store, CancellationToken ct)
    {
        if (await store.ReaderOfFeedTokenAsync(token, ct) is not { } userId)
            return TypedResults.Problem(statusCode: 404, title: "No such feed", detail: "This feed address is unknown or was replaced by a new one.");

        var draftIds = await (from d in db.DigestsOf(userId).AsNoTracking()
                              join r in db.HatchRequests.AsNoTracking() on d.RequestId equals r.Id
                              where r.Status == RequestStatus.Succeeded && r.DraftId != null
                              orderby d.PeriodEnd descending
                              select r.DraftId!.Value).Take(FeedSize).ToListAsync(ct);
        var drafts = await db.Drafts.AsNoTracking().Where(d => draftIds.Contains(d.Id) && d.UserId == userId)
            .Include(d => d.Highlights).ThenInclude(h => h.Highlight).AsSplitQuery().ToListAsync(ct);
        drafts = [.. drafts.OrderBy(d => draftIds.IndexOf(d.Id))];

        var site = new Uri($"{http.Request.Scheme}://{http.Request.Host}/");
        var self = new Uri(site, http.Request.Path);
        var feed = new SyndicationFeed("Hatch: your digests", "The digests Hatch wrote from your new highlights.", new Uri(site, "/Digests"))
        {
            Id = self.AbsoluteUri,
            LastUpdatedTime = drafts.Count == 0 ? DateTimeOffset.UnixEpoch : drafts.Max(d => d.CreatedAt),
            Items = drafts.Select(d =>
            {
                var link = new Uri(site, $"/Drafts/{d.Id}");
                return new SyndicationItem(d.Title, d.Article.Overview, link, link.AbsoluteUri, d.CreatedAt)
                {
                    PublishDate = d.CreatedAt,
                    Content = new TextSyndicationContent(ArticleHtml(DraftRenderer.Html(d.ToDocument())), TextSyndicationContentKind.Html),
                };
            }).ToList(),
        };
        feed.Links.Add(new SyndicationLink(self) { RelationshipType = "self", MediaType = AtomMediaType });

        var buffer = new MemoryStream();
        // The renderer encodes all highlight and model text; XmlWriter then escapes the whole as XML text.
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            new Atom10FeedFormatter(feed).WriteTo(writer);
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Bytes(buffer.ToArray(), AtomMediaType + "; charset=utf-8");
    }

    private static string ArticleHtml(string html)
    {
        var start = html.IndexOf("<article>", StringComparison.Ordinal);
        var end = html.LastIndexOf("</article>", StringComparison.Ordinal);
        return start >= 0 && end > start ? html[start..(end + "</article>".Length)] : html;
    }
}
