using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>The header's Sign out button signs out: afterwards a page behind sign-in sends the browser to sign in.</summary>
public sealed class SignOutInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SigningOutFromTheHeaderSendsTheNextVisitToAProtectedPageToSignIn()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.BaseUrl });
        var page = await context.NewPageAsync();
        var email = $"leaver{Guid.NewGuid():N}@example.com";

        await page.RegisterAsync(email);

        // Signed in: the protected page opens.
        await page.GotoAsync("/Drafts");
        Assert.DoesNotContain("/Account/Login", page.Url);

        var signOut = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync(),
            response => response.Url.Contains("/Account/Logout", StringComparison.OrdinalIgnoreCase) && response.Request.Method == "POST");
        Assert.True(signOut.Status is 302 or 303, $"Sign out answered {signOut.Status}");

        await page.GotoAsync("/Drafts");
        Assert.Contains("/Account/Login", page.Url);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
    }
}
