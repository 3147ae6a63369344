using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>Promises of docs/security.md that had no test: lockout, the response headers, and a rejection's reason.</summary>
public sealed class SignInAndHeadersTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task TenFailedSignInsLockTheAccountSoEvenTheRightPasswordIsRefused()
    {
        var (_, email) = await factory.NewUserAsync();
        var client = factory.CreateClient();
        async Task<HttpStatusCode> LoginAsync(string password) =>
            (await client.PostAsJsonAsync("/api/auth/login", new { email, password })).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(HatchAppFactory.Password));
        for (var i = 0; i < 9; i++) Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("wrong-password-1A!"));
        // Nine failures do not lock (a success resets the count, so start from none): the tenth does.
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(HatchAppFactory.Password));
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("wrong-password-1A!"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(HatchAppFactory.Password));

        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Users.AsNoTracking().SingleAsync(u => u.Email == email);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow, "the account is locked out");
    }

    [Fact]
    public async Task EveryPageCarriesTheReferrerPermissionsAndOpenerPolicies()
    {
        foreach (var path in new[] { "/", "/Account/Login", "/api/highlights" })
        {
            // Signed in, so each path answers its page; refusals carry the headers too (ProtectionTests).
            var (client, _) = await factory.NewUserAsync();
            var response = await client.GetAsync(path);
            Assert.True(Header(response, "Referrer-Policy") == "strict-origin-when-cross-origin", $"{path}: {(int)response.StatusCode} {string.Join("; ", response.Headers.Select(h => h.Key))}");
            Assert.Equal("camera=(), microphone=(), geolocation=(), payment=()", Header(response, "Permissions-Policy"));
            Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
            // Development serves no HSTS: a developer's browser would remember it for localhost.
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), path);
        }
    }

    [Fact]
    public async Task ARejectedDraftWithoutAReasonIsRefusedByTheDatabaseItself()
    {
        var user = await factory.UserAsync();
        var draftId = await factory.DraftAsync(user.Id, DraftStatus.Draft, user.Id);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        // Past the review service, straight at the table: the check constraint is the last line of defence.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(
            "UPDATE drafts SET \"Status\" = 'Rejected', \"RejectionReason\" = NULL WHERE \"Id\" = {0}", draftId));
        Assert.Contains("CK_drafts_rejected_has_reason", error.ToString());
        Assert.Equal(nameof(DraftStatus.Draft), (await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draftId)).Status.ToString());
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

/// <summary>HSTS outside Development, over HTTPS, on the embedded default.</summary>
public sealed class ProductionHeadersTests
{
    private sealed class SqliteApp(string folder, string environment) : HatchAppFactory
    {
        protected override string ConnectionString => $"Data Source={Path.Combine(folder, "hatch.db")}";
        protected override string Environment => environment;
    }

    [Fact]
    public async Task ProductionTellsBrowsersToUseHttpsOnly()
    {
        var folder = Directory.CreateTempSubdirectory("hatch-hsts-").FullName;
        try
        {
            await using (var development = new SqliteApp(folder, "Development"))
                development.CreateClient().Dispose(); // migrates, as `hatch db migrate` would
            await using var production = new SqliteApp(folder, "Production");
            var client = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://hatch.example.org") });

            var response = await client.GetAsync("/Account/Login");

            Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS header in Production over HTTPS");
            Assert.Contains("max-age=", string.Join(",", hsts));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
