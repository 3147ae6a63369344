using System.IO.Compression;
using Deque.AxeCore.Playwright;
using Hatch.TestSupport;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>The embedded default with a fake Readwise on 127.0.0.1 behind Hatch:Sync:Readwise:BaseUrl, and its worker running.</summary>
public sealed class ConnectionsBrowserFixture() : AppInBrowserFixture("hatch-sync-browser-")
{
    public const int Highlights = 7;

    public FakeReadwiseServer Readwise { get; private set; } = null!;

    protected override async Task BeforeAppStartsAsync()
    {
        Readwise = await FakeReadwiseServer.StartNewAsync();
        var book = Readwise.AddBook("The Practice of Attention", "Mara Quill", "https://example.com/attention", "attention");
        for (var i = 1; i <= Highlights; i++) Readwise.AddHighlight(book, $"Attention sentence number {i}, worth keeping.");
        Readwise.PageSize = 3;
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Hatch:Sync:Readwise:BaseUrl"] = Readwise.BaseUri.ToString(),
        ["Hatch:Embeddings:Provider"] = "None",
    };

    protected override async ValueTask DisposeExtrasAsync() => await Readwise.DisposeAsync();
}

public sealed class ConnectionsInTheBrowserTests(ConnectionsBrowserFixture fixture) : IClassFixture<ConnectionsBrowserFixture>
{
    [Fact]
    public async Task AReaderConnectsReadwiseSeesTheFirstSyncFinishWithItsCountAndDownloadsTheExport()
    {
        await using var context = await fixture.NewContextAsync(new() { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.RegisterAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Connections" }).ClickAsync();
        await page.WaitForPathAsync("**/Connections");
        await Assertions.Expect(page.Locator("#no-connections")).ToBeVisibleAsync();

        // A wrong token is refused with the reason, and the form does not keep it.
        await page.GetByLabel("Service").SelectOptionAsync("readwise");
        await page.GetByLabel("Token").FillAsync("this-is-not-the-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Readwise rejected this access token");
        Assert.Equal("", await page.GetByLabel("Token").InputValueAsync());

        await page.GetByLabel("Token").FillAsync(fixture.Readwise.Token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Connected to Readwise");

        // The worker runs the first sync; the page shows it finished with its count.
        var row = page.Locator("#connections tbody tr").First;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await row.GetAttributeAsync("data-status") == "Idle" && (await row.Locator(".imported").InnerTextAsync()).Trim() == $"{ConnectionsBrowserFixture.Highlights}"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the first sync did not finish: {await row.InnerTextAsync()}");
            await Task.Delay(500);
            await page.ReloadAsync();
        }
        Assert.NotEqual("never", (await row.Locator(".last-sync").InnerTextAsync()).Trim());
        Assert.DoesNotContain(fixture.Readwise.Token, await page.ContentAsync());
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(bad.Length == 0, string.Join("; ", bad.Select(v => $"{v.Id}: {v.Help}")));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download your library" }).ClickAsync());
        Assert.EndsWith(".zip", download.SuggestedFilename);
        var path = Path.Combine(fixture.Folder, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        using var zip = ZipFile.OpenRead(path);
        var entry = Assert.Single(zip.Entries);
        Assert.StartsWith("The Practice of Attention - Mara Quill", entry.FullName);
        using var reader = new StreamReader(entry.Open());
        var markdown = await reader.ReadToEndAsync();
        Assert.Equal(ConnectionsBrowserFixture.Highlights, markdown.Split('\n').Count(l => l.StartsWith("> Attention sentence", StringComparison.Ordinal)));
        Assert.Contains("source_url: \"https://example.com/attention\"", markdown);
    }
}
