using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests.Hostile;

/// <summary>A role taken away counts at once, whatever the sign-in cookie still says.</summary>
public sealed class DemotionTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task AnAdminDemotedWhileSignedInLosesTheJobDashboardAtOnce()
    {
        var admin = await factory.UserAsync(HatchUser.Roles.Admin);
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = admin.Email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hangfire")).StatusCode);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
            Assert.True((await users.RemoveFromRoleAsync((await users.FindByIdAsync(admin.Id))!, HatchUser.Roles.Admin)).Succeeded);
        }

        // The cookie was issued with the Admin role claim and is not re-validated for a while; the dashboard asks the database.
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/hangfire/jobs/enqueued")).StatusCode);
    }
}
