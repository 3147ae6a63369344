using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Hatch.Data;
using Hatch.TestSupport;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// Highlights carrying script tags, event handlers, javascript: links, entities and Markdown link tricks are imported,
/// hatched by the extractive writer (which quotes them) and published; then every place they are shown is parsed, and
/// none of them has become an element, an attribute or a link: highlights pages, the draft page, the public page, the
/// Atom feed, and the Markdown, HTML and JSON downloads.
/// </summary>
public sealed class InertEverywhereTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TestUser _author = null!;
    private HttpClient _pages = null!;
    private Guid _draftId;
    private string _slug = "";

    public async Task InitializeAsync()
    {
        _author = await factory.UserAsync();
        using var upload = new MultipartFormDataContent { { new StringContent(HostileHighlights.HatchJson(), Encoding.UTF8), "file", "hostile.json" } };
        var imported = await _author.Client.PostAsync("/api/highlights/import", upload);
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());

        var accepted = await (await _author.Client.PostAsJsonAsync("/api/hatches", new { })).JsonAsync();
        var status = await ReviewSeed.EventuallyAsync(
            async () => await _author.Client.GetFromJsonAsync<JsonElement>($"/api/hatches/{accepted.GetProperty("id").GetGuid()}"),
            s => s.GetProperty("status").GetString() is "Succeeded" or "Failed", "the hatch to finish");
        Assert.True(status.GetProperty("status").GetString() == "Succeeded", status.ToString());
        _draftId = status.GetProperty("draftId").GetGuid();

        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        (await _author.Client.PostJsonAsync($"/api/drafts/{_draftId}/submit")).EnsureSuccessStatusCode();
        (await editor.Client.PostJsonAsync($"/api/drafts/{_draftId}/approve")).EnsureSuccessStatusCode();
        (await editor.Client.PostJsonAsync($"/api/drafts/{_draftId}/publish")).EnsureSuccessStatusCode();
        _slug = (await _author.Client.GetFromJsonAsync<JsonElement>($"/api/drafts/{_draftId}")).GetProperty("slug").GetString()!;

        _pages = factory.CreateClient();
        (await _pages.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = _author.Email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TheHighlightsPagesShowTheMarkupAsText()
    {
        var document = await PageAsync(_pages, "/Highlights");
        Assert.Contains(HostileHighlights.ScriptTag, document.Body!.TextContent);
        Assert.Contains(HostileHighlights.ImgOnError, document.Body.TextContent);

        var id = (await _author.Client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("items")[0].GetProperty("id").GetGuid();
        await PageAsync(_pages, $"/Highlights/View/{id}");
        // The API hands the same text back as data, and never an unsafe address.
        var listed = await _author.Client.GetFromJsonAsync<JsonElement>("/api/highlights?pageSize=50");
        Assert.All(listed.GetProperty("items").EnumerateArray(), h =>
            Assert.True(h.GetProperty("url").ValueKind == JsonValueKind.Null || h.GetProperty("url").GetString()!.StartsWith("https://")));
    }

    [Fact]
    public async Task TheDraftPageQuotesTheHighlightsInertly()
    {
        var document = await PageAsync(_pages, $"/Drafts/{_draftId}");
        Assert.Contains("hatchXss", document.QuerySelector("article")!.TextContent);
    }

    [Fact]
    public async Task ThePublicPageIsInert()
    {
        var document = await PageAsync(factory.CreateClient(), $"/a/{Uri.EscapeDataString(_slug)}");
        Assert.Contains("hatchXss", document.QuerySelector("article")!.TextContent);
    }

    [Fact]
    public async Task TheFeedsHtmlContentIsInert()
    {
        var response = await factory.CreateClient().GetAsync("/feed.atom");
        response.EnsureSuccessStatusCode();
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var entry = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Elements(atom + "entry")
            .Single(e => e.Element(atom + "link")!.Attribute("href")!.Value.EndsWith("/a/" + Uri.EscapeDataString(_slug)));
        var content = entry.Element(atom + "content")!;
        Assert.Equal("html", content.Attribute("type")!.Value);
        var html = new HtmlParser().ParseDocument(content.Value);
        AssertInert(html, "feed content");
        Assert.Contains("hatchXss", html.Body!.TextContent);
    }

    [Fact]
    public async Task TheHtmlDownloadIsInert()
    {
        var response = await _pages.GetAsync($"/Drafts/{_draftId}?handler=Download&format=html");
        response.EnsureSuccessStatusCode();
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        AssertInert(document, "HTML download");
        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.Contains("hatchXss", document.Body!.TextContent);
    }

    [Fact]
    public async Task TheMarkdownDownloadAndApiHaveNoHtmlAndNoForeignLinks()
    {
        var download = await _pages.GetStringAsync($"/Drafts/{_draftId}?handler=Download&format=markdown");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/drafts/{_draftId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/markdown"));
        var api = await (await _author.Client.SendAsync(request)).Content.ReadAsStringAsync();

        foreach (var (what, markdown) in new[] { ("download", download), ("API", api) })
        {
            Assert.Contains("hatchXss", markdown);
            var ast = Markdown.Parse(markdown, new MarkdownPipelineBuilder().UseAdvancedExtensions().UseAutoLinks().Build());
            foreach (var node in ast.Descendants())
            {
                Assert.False(node is HtmlBlock or HtmlInline or LinkReferenceDefinition, $"{what}: {node.GetType().Name} in\n{markdown}");
                var url = node switch { LinkInline link => link.Url, AutolinkInline auto => auto.Url, _ => null };
                Assert.True(url is null || url.StartsWith("https://example.com/book"), $"{what}: a link to '{url}'");
            }
            var html = new HtmlParser().ParseDocument(Markdown.ToHtml(markdown, new MarkdownPipelineBuilder().UseAdvancedExtensions().UseAutoLinks().Build()));
            AssertInert(html, $"Markdown {what} rendered to HTML");
        }
    }

    [Fact]
    public async Task TheJsonDownloadIsDataThatNoBrowserWouldSniffAsHtml()
    {
        var response = await _pages.GetAsync($"/Drafts/{_draftId}?handler=Download&format=json");
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        // The text survives as data: decoded, it is exactly what was imported.
        using var json = JsonDocument.Parse(text);
        Assert.Contains(json.RootElement.GetProperty("highlights").EnumerateArray(),
            h => h.GetProperty("highlight").GetProperty("text").GetString()!.Contains(HostileHighlights.ScriptTag));
    }

    private static async Task<IDocument> PageAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html[..Math.Min(300, html.Length)]}");
        Assert.Contains("script-src 'self'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        var document = new HtmlParser().ParseDocument(html);
        AssertInert(document, path);
        return document;
    }

    /// <summary>No element, attribute or link of the input's making: only the site's own scripts, no handlers, no script URLs.</summary>
    internal static void AssertInert(IDocument document, string where)
    {
        foreach (var element in document.All)
        {
            if (element.LocalName == "script")
            {
                Assert.True(element.GetAttribute("src") is { } src && src.StartsWith('/') && element.TextContent.Trim().Length == 0,
                    $"{where}: an inline or foreign script: {element.OuterHtml}");
            }
            Assert.False(element.LocalName is "img" or "svg" or "iframe" or "object" or "embed" or "b" or "i", $"{where}: <{element.LocalName}> from the input: {element.OuterHtml}");
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{where}: event handler {attribute.Name} on <{element.LocalName}>");
                if (attribute.Name is "href" or "src" or "action" or "formaction" or "xlink:href")
                {
                    var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
                    Assert.False(value.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                        || value.StartsWith("vbscript:", StringComparison.OrdinalIgnoreCase), $"{where}: {attribute.Name}=\"{attribute.Value}\"");
                    // Input may reach an address only percent-encoded inside an http(s) or same-site URL.
                    if (attribute.Value.Contains("hatchXss"))
                        Assert.True(value.StartsWith("https://") || value.StartsWith('/') && !value.StartsWith("//"), $"{where}: {attribute.Name}=\"{attribute.Value}\"");
                }
            }
        }
    }
}
