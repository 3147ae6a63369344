using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Data;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests.Hostile;

/// <summary>PostgreSQL with <c>Hatch:Auth:AllowRegistration=false</c>.</summary>
public sealed class ClosedRegistrationAppFactory : PostgresAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Auth:AllowRegistration", "false");
    }
}

/// <summary>PostgreSQL with an email sender, as a deployment that can send mail registers one; it keeps what it was asked to send.</summary>
public sealed class MailingAppFactory : PostgresAppFactory
{
    public sealed class OutboxSender : IEmailSender<HatchUser>
    {
        public ConcurrentDictionary<string, string> Links { get; } = new();

        public Task SendConfirmationLinkAsync(HatchUser user, string email, string confirmationLink)
        {
            Links[email] = WebUtility.HtmlDecode(confirmationLink);
            return Task.CompletedTask;
        }

        public Task SendPasswordResetLinkAsync(HatchUser user, string email, string resetLink) => Task.CompletedTask;

        public Task SendPasswordResetCodeAsync(HatchUser user, string email, string resetCode) => Task.CompletedTask;
    }

    public OutboxSender Outbox { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IEmailSender<HatchUser>>(Outbox));
    }
}

/// <summary>Who may open an account, and how.</summary>
public sealed class ClosedRegistrationTests(ClosedRegistrationAppFactory factory) : IClassFixture<ClosedRegistrationAppFactory>
{
    [Fact]
    public async Task WithRegistrationClosedNeitherTheApiNorThePageCreatesAnAccount()
    {
        var client = factory.CreateClient();
        var api = await client.PostAsJsonAsync("/api/auth/register", new { email = "walk-in@example.com", password = HatchAppFactory.Password });
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("Registration is closed", await api.Content.ReadAsStringAsync());

        var page = await client.GetAsync("/Account/Register");
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("Registration is closed", html);
        Assert.DoesNotContain("name=\"Form.Password\"", html);

        // A form posted anyway (with a token from the sign-in page) creates nothing either.
        var token = AntiforgeryForm.Token(await client.GetStringAsync("/Account/Login"));
        var posted = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(
        [
            new("Form.Email", "walk-in@example.com"), new("Form.Password", HatchAppFactory.Password),
            new("Form.ConfirmPassword", HatchAppFactory.Password), new("__RequestVerificationToken", token),
        ]));
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>().FindByEmailAsync("walk-in@example.com"));
    }
}

public sealed class EmailConfirmationTests(MailingAppFactory factory) : IClassFixture<MailingAppFactory>
{
    [Fact]
    public async Task WhereMailCanBeSentAnAccountSignsInOnlyOnceItsAddressIsConfirmed()
    {
        var client = factory.CreateClient();
        var email = $"m{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();

        var early = await client.PostAsJsonAsync("/api/auth/login", new { email, password = HatchAppFactory.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);

        var link = new Uri(factory.Outbox.Links[email]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(link.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { email, password = HatchAppFactory.Password })).StatusCode);
    }
}

/// <summary>Hatch started twice on one database, as after a restart or on a second machine.</summary>
public sealed class RestartTests
{
    private sealed class OnDatabase(string connectionString) : HatchAppFactory
    {
        protected override string ConnectionString => connectionString;
    }

    [Fact]
    public async Task ASignInCookieAndBearerTokenIssuedBeforeARestartStillWorkAfterIt()
    {
        var database = TestPostgres.NewDatabase();
        var noCookies = new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false };
        string cookie, bearer;
        int keys;
        await using (var before = new OnDatabase(database))
        {
            var (client, email) = await before.NewUserAsync();
            bearer = client.DefaultRequestHeaders.Authorization!.Parameter!;
            var signIn = await before.CreateClient(noCookies).PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password });
            cookie = signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("hatch.auth="));
            await using var scope = before.Services.CreateAsyncScope();
            keys = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DataProtectionKeys.CountAsync();
        }

        await using var after = new OnDatabase(database);
        var page = new HttpRequestMessage(HttpMethod.Get, "/Highlights");
        page.Headers.Add("Cookie", cookie);
        var byCookie = await after.CreateClient(noCookies).SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, byCookie.StatusCode); // not a redirect to the sign-in page

        var api = after.CreateClient(noCookies);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/highlights")).StatusCode);

        // The key ring lives in the database: the restarted app used the key it found rather than make another.
        await using var check = after.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<HatchDbContext>();
        Assert.True(keys >= 1, "the first start stored its key in the database");
        Assert.Equal(keys, await db.DataProtectionKeys.CountAsync());
        await db.Database.EnsureDeletedAsync();
    }
}
