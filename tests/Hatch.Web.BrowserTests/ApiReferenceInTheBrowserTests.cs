using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>
/// The API reference at /scalar in a real browser: it renders the document's operations under the page's own
/// Content-Security-Policy (nothing refused, nothing fetched from elsewhere), offers the Bearer scheme, and a call made
/// from the page with a token from POST /api/auth/login is answered, as "try it" does.
/// </summary>
public sealed class ApiReferenceInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TheReferenceRendersTheOperationsAndACallWithALoginTokenIsAnswered()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        var email = $"api{Guid.NewGuid():N}@example.com";
        (await http.PostAsJsonAsync("/api/auth/register", new { email, password = AppInBrowserFixture.Password })).EnsureSuccessStatusCode();
        var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = AppInBrowserFixture.Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // A failed load is reported below with its address.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) problems.Add(message.Text);
        };
        page.Response += (_, response) =>
        {
            // The site has no favicon.ico (the browser asks for one on every page); that is not the reference's doing.
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
                problems.Add($"{response.Status} {response.Url}");
        };
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(fixture.BaseUrl, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)
                && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
                problems.Add("request to elsewhere: " + request.Url);
        };

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).ClickAsync();
        await page.WaitForPathAsync("**/scalar/");
        // Identity's login operation, with the summary the document gives it, and the scheme to paste its token into.
        await Assertions.Expect(page.GetByText("Signs in: {tokenType, accessToken").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("Bearer").First).ToBeAttachedAsync();

        // What "try it" sends once the token is in the Bearer scheme, from the page and under its policy.
        var status = await page.EvaluateAsync<int>(
            "async token => (await fetch('/api/highlights', { headers: { Authorization: 'Bearer ' + token } })).status", token);
        Assert.Equal(200, status);
        Assert.True(problems.Count == 0, "The reference page reported:\n" + string.Join("\n", problems));
    }
}
