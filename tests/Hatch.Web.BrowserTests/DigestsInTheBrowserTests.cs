using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>The embedded default (SQLite, in-memory jobs with the worker running), no email configured.</summary>
public sealed class DigestsBrowserFixture() : AppInBrowserFixture("hatch-digests-browser-")
{
    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Hatch:Embeddings:Provider"] = "None",
    };
}

public sealed class DigestsInTheBrowserTests(DigestsBrowserFixture fixture) : IClassFixture<DigestsBrowserFixture>
{
    [Fact]
    public async Task AReaderSetsADigestThroughThePageSeesTheNextTimeAndGetsOneNow()
    {
        // The browser's own zone is Tokyo: a first visit proposes it.
        await using var context = await fixture.NewContextAsync(new() { TimezoneId = "Asia/Tokyo" });
        var page = await context.NewPageAsync();
        await page.RegisterAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Digests" }).ClickAsync();
        await page.WaitForPathAsync("**/Digests");
        var zone = page.GetByLabel("Time zone");
        await Assertions.Expect(zone).ToHaveValueAsync("Asia/Tokyo");
        // Email is off on this server: the page says digests stay in Hatch and how to turn email on.
        await Assertions.Expect(page.Locator("#email-off")).ToContainTextAsync("Hatch:Email:Host");

        // Only the fields the cadence uses are shown.
        var cadence = page.GetByLabel("How often");
        await cadence.SelectOptionAsync("Cron");
        await Assertions.Expect(page.GetByLabel("Cron expression (minute hour day month weekday)")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Day", new() { Exact = true })).ToBeHiddenAsync();
        await cadence.SelectOptionAsync("Weekly");
        await Assertions.Expect(page.GetByLabel("Cron expression (minute hour day month weekday)")).ToBeHiddenAsync();
        await page.GetByLabel("Day", new() { Exact = true }).SelectOptionAsync("Friday");

        // The zone comes from the searchable list of IANA zones.
        Assert.True(await page.Locator("#time-zones option[value='Europe/Berlin']").CountAsync() == 1);
        await zone.FillAsync("Europe/Berlin");
        await page.GetByLabel("Local time").FillAsync("07:30");
        await page.GetByLabel("Send me digests").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Settings saved");
        await Assertions.Expect(page.Locator("#next-run")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"Next digest: Friday \d{1,2} \w+, 07:30 \(Europe/Berlin\)"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Send me one now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("is on its way");
        await Assertions.Expect(page.Locator("#digests tbody tr")).ToHaveCountAsync(1);
        // The schedule did not move.
        await Assertions.Expect(page.Locator("#next-run")).ToContainTextAsync("07:30 (Europe/Berlin)");
    }
}
