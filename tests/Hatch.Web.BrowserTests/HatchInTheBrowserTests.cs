using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

public sealed class HatchInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>axe-core on the page as it is now: no serious or critical violations.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(bad.Length == 0, $"{what}: " + string.Join("; ", bad.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }

    [Fact]
    public async Task APersonRegistersImportsSelectsHatchesWatchesTheStagesAndReadsTheDraft()
    {
        await using var context = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await AssertAccessibleAsync(page, "start page");

        await page.GotoAsync("/Account/Register");
        await AssertAccessibleAsync(page, "register page");
        await page.RegisterAsync();
        await AssertAccessibleAsync(page, "empty highlights page");

        await page.GetByLabel("Export file").SetInputFilesAsync(AppInBrowserFixture.Sample("kindle-my-clippings.txt"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Assertions.Expect(page.Locator(".report")).ToContainTextAsync("imported");
        await AssertAccessibleAsync(page, "highlights page with import report");

        var boxes = page.Locator("input[name='Hatch.Ids']");
        var count = await boxes.CountAsync();
        Assert.True(count >= 3, $"only {count} highlights listed");
        for (var i = 0; i < Math.Min(count, 6); i++)
            await boxes.Nth(i).CheckAsync();
        await page.GetByLabel("Style").SelectOptionAsync("essay");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hatch", Exact = true }).ClickAsync();

        await page.WaitForPathAsync("**/Hatches/*");
        await Assertions.Expect(page.Locator(".stages li")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".stages li").Nth(1)).ToContainTextAsync("Selecting");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Read the draft" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".stages li.done")).ToHaveCountAsync(5);
        await AssertAccessibleAsync(page, "request status page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Read the draft" }).ClickAsync();
        await page.WaitForPathAsync("**/Drafts/*");
        await Assertions.Expect(page.Locator("article h1")).ToBeVisibleAsync();
        Assert.True(await page.Locator("sup.cite a").CountAsync() > 0, "the draft has no citation links");
        var firstCitation = await page.Locator("sup.cite a").First.GetAttributeAsync("href");
        Assert.Equal(1, await page.Locator(firstCitation!).CountAsync());
        await AssertAccessibleAsync(page, "draft page");

        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "draft.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "draft-phone.png") });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Markdown" }).ClickAsync());
        Assert.EndsWith(".md", download.SuggestedFilename);

        await page.GotoAsync("/Drafts");
        await Assertions.Expect(page.Locator(".draft-list li")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page, "drafts page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/Account/Login");
        await AssertAccessibleAsync(page, "sign-in page");
    }

    [Fact]
    public async Task IdeasWaitingToHatchAreAccessibleAndHatchWithOneClick()
    {
        await using var context = await fixture.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.RegisterAsync($"ideas{Guid.NewGuid():N}@example.com");

        // Two topics, each across two books, embedded by MiniLM in the background job.
        (string Text, string Source)[] library =
        [
            ("Sleep consolidates memory: the brain replays what was learned.", "Why We Sleep"),
            ("Deep sleep spindles predict how much memory survives until morning.", "Why We Sleep"),
            ("Without sleep the learning of the day is largely lost.", "Why We Sleep"),
            ("Rest after study strengthens recall more than another hour of study.", "Make It Stick"),
            ("Retrieval practice followed by a night of rest makes learning durable.", "Make It Stick"),
            ("Compound interest rewards saving early.", "The Psychology of Money"),
            ("Saving is a habit; interest turns the habit into wealth.", "The Psychology of Money"),
            ("Money left to compound for decades outgrows any salary.", "The Psychology of Money"),
            ("Low-cost index funds let savings compound; fees eat returns.", "Common Sense Investing"),
            ("Costs compound too: a one percent fee takes a third of a lifetime's gains.", "Common Sense Investing"),
        ];
        var file = Path.Combine(Path.GetTempPath(), $"ideas-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(library.Select(l => new { text = l.Text, source = l.Source })));
        try
        {
            await page.GetByLabel("Export file").SetInputFilesAsync(file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
            await Assertions.Expect(page.Locator(".report")).ToContainTextAsync("imported");
        }
        finally
        {
            File.Delete(file);
        }

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await page.Locator(".ideas .theme").CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no ideas were suggested after the embeddings job had time to run");
            await Task.Delay(1000);
            await page.GotoAsync("/Highlights");
        }
        await AssertAccessibleAsync(page, "highlights page with ideas waiting to hatch");

        await page.Locator(".ideas .theme").First.GetByRole(AriaRole.Button, new() { Name = "Hatch this idea" }).ClickAsync();
        await page.WaitForPathAsync("**/Hatches/*");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Read the draft" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
    }
}

