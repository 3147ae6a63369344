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
            await page.WaitForURLAsync("**/Highlights");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"registering {email} did not lead to the highlights page; it shows {page.Url}:\n{await page.InnerTextAsync("main")}");
        }
        return email;
    }
}
