using System.Net;
using Hatch.Data;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>The admin Users page grants and revokes roles; nobody else may use it.</summary>
public sealed class AdminUsersPageTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{

    [Fact]
    public async Task AnAdminGrantsAndRevokesTheEditorRoleAndOthersAreTurnedAway()
    {
        var admin = await factory.UserAsync(HatchUser.Roles.Admin);
        var person = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);

        Assert.Equal(HttpStatusCode.Forbidden, (await person.Client.GetAsync("/Admin/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.Client.GetAsync("/Admin/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await person.Client.GetAsync("/api/review")).StatusCode);

        // Redirects are not followed: HttpClient drops the bearer token on a redirect.
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = admin.Client.DefaultRequestHeaders.Authorization;
        var page = await client.GetStringAsync($"/Admin/Users?q={Uri.EscapeDataString(person.Email)}");
        Assert.Contains(person.Email, page);
        var token = AntiforgeryForm.Token(page);

        async Task<string> PostAsync(string role, bool grant)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["userId"] = person.Id, ["role"] = role, ["grant"] = grant ? "true" : "false", ["__RequestVerificationToken"] = token,
            });
            using var response = await client.PostAsync("/Admin/Users", form);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            // The list it redirects to says what changed.
            return WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location!.OriginalString));
        }

        Assert.Contains($"{person.Email} now has the Editor role.", await PostAsync("Editor", grant: true));
        Assert.Equal(["Editor"], await RolesAsync(person.Email));
        // The role counts at once: the same token now opens the review queue.
        Assert.Equal(HttpStatusCode.OK, (await person.Client.GetAsync("/api/review")).StatusCode);

        Assert.Contains($"{person.Email} no longer has the Editor role.", await PostAsync("Editor", grant: false));
        Assert.Empty(await RolesAsync(person.Email));
        Assert.Equal(HttpStatusCode.Forbidden, (await person.Client.GetAsync("/api/review")).StatusCode);
    }

    [Fact]
    public async Task AnAdminCannotRevokeTheirOwnAdminRole()
    {
        var admin = await factory.UserAsync(HatchUser.Roles.Admin);
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = admin.Client.DefaultRequestHeaders.Authorization;
        var token = AntiforgeryForm.Token(await client.GetStringAsync($"/Admin/Users?q={Uri.EscapeDataString(admin.Email)}"));

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = admin.Id, ["role"] = HatchUser.Roles.Admin, ["grant"] = "false", ["__RequestVerificationToken"] = token,
        });
        using var response = await client.PostAsync("/Admin/Users", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("You cannot revoke your own Admin role; ask another admin.",
            WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location!.OriginalString)));
        Assert.Equal([HatchUser.Roles.Admin], await RolesAsync(admin.Email));
    }

    private async Task<string[]> RolesAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        return (await users.GetRolesAsync((await users.FindByEmailAsync(email))!)).ToArray();
    }
}
