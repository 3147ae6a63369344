using Hatch.TestSupport;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>
/// Highlights full of script tags, event handlers and javascript: links go through the whole life of an article in a
/// real browser: imported, hatched offline, read as a draft, published and read by the public. No payload ever runs
/// (no flag set, no dialog), none even reaches the page as markup (no Content-Security-Policy violation, which would
/// mean only the CSP stopped it), and no link on any page has a script address.
/// </summary>
public sealed class HostileInTheBrowserTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    // Runs before any page script: counts CSP violations and remembers whether anything called alert/confirm/prompt.
    private const string Watch = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
        """;

    private const string ScriptLinks = """
        () => [...document.querySelectorAll('[href],[src],[action],[formaction]')]
          .map(e => e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? e.getAttribute('formaction') ?? '')
          .filter(v => /^\s*(javascript|data|vbscript):/i.test(v))
        """;

    private sealed class Watched(IPage page, List<string> dialogs)
    {
        public IPage Page => page;

        public async Task AssertNothingRanAsync(string where)
        {
            Assert.True(dialogs.Count == 0, $"{where}: a dialog opened: {string.Join(", ", dialogs)}");
            Assert.Equal("undefined", await page.EvaluateAsync<string>($"() => typeof window.{HostileHighlights.Flag}"));
            var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
            Assert.True(violations.Length == 0, $"{where}: markup from a highlight reached the page (CSP blocked: {string.Join(", ", violations)})");
            var links = await page.EvaluateAsync<string[]>(ScriptLinks);
            Assert.True(links.Length == 0, $"{where}: links with a script address: {string.Join(", ", links)}");
            Assert.Equal(0, await page.Locator("article img, article svg, article iframe, article script").CountAsync());
        }
    }

    private async Task<(IBrowserContext Context, Watched Page)> OpenAsync()
    {
        var context = await fixture.NewContextAsync();
        await context.AddInitScriptAsync(Watch);
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) => { dialogs.Add($"{dialog.Type}: {dialog.Message}"); await dialog.DismissAsync(); };
        return (context, new Watched(page, dialogs));
    }

    [Fact]
    public async Task HostileHighlightsNeverRunOnTheHighlightsDraftOrPublishedPages()
    {
        var export = Path.Combine(fixture.Folder, "hostile.json");
        await File.WriteAllTextAsync(export, HostileHighlights.HatchJson());

        // ---- the author: register, import, hatch, read the draft, submit ----
        var (authorContext, author) = await OpenAsync();
        await using var _ = authorContext;
        var page = author.Page;
        await page.RegisterAsync($"author{Guid.NewGuid():N}@example.com");

        await page.GetByLabel("Export file").SetInputFilesAsync(export);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.Locator(".report")).ToContainTextAsync("imported");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(HostileHighlights.ScriptTag);
        await author.AssertNothingRanAsync("highlights page");

        var boxes = page.Locator("input[name='Hatch.Ids']");
        var count = await boxes.CountAsync();
        Assert.Equal(HostileHighlights.Texts.Length, count);
        for (var i = 0; i < count; i++) await boxes.Nth(i).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Hatch", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Read the draft" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await author.AssertNothingRanAsync("hatch status page");
        await page.GetByRole(AriaRole.Link, new() { Name = "Read the draft" }).ClickAsync();
        await page.WaitForPathAsync("**/Drafts/*");
        var draftUrl = page.Url;
        await Assertions.Expect(page.Locator("article")).ToContainTextAsync("hatchXss");
        await author.AssertNothingRanAsync("draft page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Submit for review" }).ClickAsync();
        await Assertions.Expect(page.Locator(".status")).ToHaveTextAsync("Submitted");

        // ---- the editor: approve and publish ----
        var (editorContext, editor) = await OpenAsync();
        await using var __ = editorContext;
        var editorPage = editor.Page;
        await editorPage.GotoAsync("/Account/Login");
        await editorPage.GetByLabel("Email").FillAsync(HostileBrowserFixture.EditorEmail);
        await editorPage.GetByLabel("Password").FillAsync(HostileBrowserFixture.Password);
        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await editorPage.WaitForURLAsync(url => !url.Contains("/Account/Login"), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await editorPage.GotoAsync(draftUrl);
        await editor.AssertNothingRanAsync("draft page, as the editor");
        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(editorPage.Locator(".status")).ToHaveTextAsync("Approved");
        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(editorPage.Locator(".status")).ToHaveTextAsync("Published");
        var publicUrl = await editorPage.Locator(".status-line a").GetAttributeAsync("href");
        await editor.AssertNothingRanAsync("published draft page");

        // ---- anyone: the public page, with every link on it hovered and its sources followed ----
        var (readerContext, reader) = await OpenAsync();
        await using var ___ = readerContext;
        await reader.Page.GotoAsync(publicUrl!);
        await Assertions.Expect(reader.Page.Locator("article")).ToContainTextAsync("hatchXss");
        var links = reader.Page.Locator("article a");
        for (var i = 0; i < await links.CountAsync(); i++) await links.Nth(i).HoverAsync();
        await reader.AssertNothingRanAsync("public page");
    }
}
