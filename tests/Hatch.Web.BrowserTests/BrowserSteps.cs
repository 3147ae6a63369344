using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>Steps many browser tests take the same way, written once so a change to a page changes one place.</summary>
public static class BrowserSteps
{
    /// <summary>
    /// Creates an account on the register page as a person would (opening it unless the page is already there) and
    /// waits for the highlights page that follows; a registration that goes elsewhere fails with what the page says.
    /// </summary>
    /// <returns>The address registered: <paramref name="email"/>, or a fresh one that no other test uses.</returns>
    public static async Task<string> RegisterAsync(this IPage page, string? email = null, string? displayName = null,
        string password = AppInBrowserFixture.Password)
    {
        email ??= $"reader{Guid.NewGuid():N}@example.com";
        if (!page.Url.Contains("/Account/Register", StringComparison.OrdinalIgnoreCase))
            await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync(email);
        if (displayName is not null) await page.GetByLabel("Your name (optional)").FillAsync(displayName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        try
        {
            await page.WaitForPathAsync("**/Highlights");
        }
        catch (TimeoutException)
        {
            var readyState = await page.EvaluateAsync<string>("document.readyState");
            Assert.Fail($"registering {email} did not lead to the highlights page; it shows {page.Url} (document {readyState}):\n{await page.InnerTextAsync("main")}");
        }
        return email;
    }

    /// <summary>
    /// Waits until the page's address matches <paramref name="urlGlob"/> and its document has been parsed, but not for
    /// the <c>load</c> event that WaitForURL awaits by default. On a loaded machine that event once came more than 90 s
    /// after the page had been drawn and failed a test; the steps that follow wait for the elements they need anyway.
    /// </summary>
    public static Task WaitForPathAsync(this IPage page, string urlGlob) =>
        page.WaitForURLAsync(urlGlob, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
}
