using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

public sealed class ReviewInTheBrowserTests(ReviewBrowserFixture fixture) : IClassFixture<ReviewBrowserFixture>
{
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(bad.Length == 0, $"{what}: " + string.Join("; ", bad.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task AnAuthorSubmitsAnEditorRevisesApprovesAndPublishesAndThePublicPageAndFeedShowIt()
    {
        // ---- the author: register, import, hatch, submit ----
        await using var authorContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var author = await authorContext.NewPageAsync();
        await author.RegisterAsync($"author{Guid.NewGuid():N}@example.com", displayName: "Ada Author");

        await author.GetByLabel("Export file").SetInputFilesAsync(AppInBrowserFixture.Sample("kindle-my-clippings.txt"));
        await author.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(author.Locator(".report")).ToContainTextAsync("imported");
        var boxes = author.Locator("input[name='Hatch.Ids']");
        for (var i = 0; i < 4; i++) await boxes.Nth(i).CheckAsync();
        await author.GetByRole(AriaRole.Button, new() { Name = "Hatch", Exact = true }).ClickAsync();
        await Assertions.Expect(author.GetByRole(AriaRole.Link, new() { Name = "Read the draft" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await author.GetByRole(AriaRole.Link, new() { Name = "Read the draft" }).ClickAsync();
        await author.WaitForPathAsync("**/Drafts/*");
        var draftUrl = author.Url;
        var title = (await author.Locator("article h1").InnerTextAsync()).Trim();

        // The author may edit and submit, never approve or publish.
        await Assertions.Expect(author.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await author.GetByRole(AriaRole.Button, new() { Name = "Submit for review" }).ClickAsync();
        await Assertions.Expect(author.Locator(".status")).ToHaveTextAsync("Submitted");
        await Assertions.Expect(author.GetByRole(AriaRole.Button, new() { Name = "Submit for review" })).ToHaveCountAsync(0);

        // ---- the editor: sign in, find it in the queue, revise a section with the model, approve, publish ----
        await using var editorContext = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var editor = await editorContext.NewPageAsync();
        await editor.GotoAsync("/Account/Login");
        await editor.GetByLabel("Email").FillAsync(ReviewBrowserFixture.EditorEmail);
        await editor.GetByLabel("Password").FillAsync(ReviewBrowserFixture.Password);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await editor.GetByRole(AriaRole.Link, new() { Name = "Review", Exact = true }).ClickAsync();
        await editor.WaitForPathAsync("**/Review");
        await AssertAccessibleAsync(editor, "review queue");
        await editor.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await editor.WaitForPathAsync("**/Drafts/*");
        Assert.Equal(draftUrl, editor.Url);
        await Assertions.Expect(editor.Locator(".cited-highlights li").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(editor, "draft review page");

        await editor.GetByLabel("Revise “First thread”").FillAsync("make it concrete");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Revise section 1" }).ClickAsync();
        // 90 s, not 30: a revision job that hits a transient error (a busy SQLite file on a loaded CI machine) is retried by
        // Hangfire after 15-45 s, and the page, refreshing every 2 s, shows it then. A failed revision shows an error instead.
        await Assertions.Expect(editor.Locator("article")).ToContainTextAsync(ReviewBrowserFixture.RevisedText, new() { Timeout = 90_000 });
        await Assertions.Expect(editor.Locator(".revisions li")).ToHaveCountAsync(2);
        await ShotAsync(editor, "review-draft");

        await editor.GetByRole(AriaRole.Link, new() { Name = "Revision 2", Exact = true }).ClickAsync();
        await Assertions.Expect(editor.Locator("pre.diff ins")).ToContainTextAsync(ReviewBrowserFixture.RevisedText);
        await AssertAccessibleAsync(editor, "revision diff page");
        await editor.GoBackAsync();

        await editor.GetByLabel("Add a comment").FillAsync("Nice and concrete now.");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Comment", Exact = true }).ClickAsync();
        await Assertions.Expect(editor.Locator(".comments")).ToContainTextAsync("Nice and concrete now.");

        await editor.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(editor.Locator(".status")).ToHaveTextAsync("Approved");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(editor.Locator(".status")).ToHaveTextAsync("Published");
        var publicUrl = await editor.Locator(".status-line a").GetAttributeAsync("href");
        Assert.Contains("/a/", publicUrl);
        await Assertions.Expect(editor.Locator("#audit")).ToContainTextAsync("Published");

        // ---- anyone: the public page and the feed ----
        await using var readerContext = await fixture.NewContextAsync();
        var reader = await readerContext.NewPageAsync();
        await reader.GotoAsync(publicUrl!);
        await Assertions.Expect(reader.Locator("article h1")).ToHaveTextAsync(title);
        await Assertions.Expect(reader.Locator(".byline")).ToContainTextAsync("Hatched by Ada Author ·");
        await Assertions.Expect(reader.Locator(".byline")).ToContainTextAsync("min read");
        await Assertions.Expect(reader.Locator("article")).ToContainTextAsync(ReviewBrowserFixture.RevisedText);
        Assert.True(await reader.Locator("ol.sources li").CountAsync() > 0, "the public page lists no sources");
        await AssertAccessibleAsync(reader, "public article");
        await ShotAsync(reader, "public-article");

        var feed = await reader.APIRequest.GetAsync("/feed.atom");
        Assert.Equal(200, feed.Status);
        var xml = await feed.TextAsync();
        Assert.Contains(System.Security.SecurityElement.Escape(title), xml);
        Assert.Contains(new Uri(publicUrl!).AbsolutePath, xml);
    }
}
