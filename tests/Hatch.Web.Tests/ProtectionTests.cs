using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace Hatch.Web.Tests;

/// <summary>The SQLite default with a deliberately small hatch limit, so the limit is reached in a test.</summary>
public sealed class RateLimitedAppFactory : HatchAppFactory
{
    public const int HatchesPerMinute = 3;

    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-test-").FullName;

    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "hatch.db")}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:RateLimits:HatchesPerMinute", HatchesPerMinute.ToString());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class ProtectionTests(RateLimitedAppFactory factory) : IClassFixture<RateLimitedAppFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/Account/Login")]
    [InlineData("/health")]
    public async Task EveryResponseCarriesTheSecurityHeaders(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Theory]
    [InlineData("/api/highlights", HttpStatusCode.Unauthorized)]
    [InlineData("/Highlights", HttpStatusCode.Redirect)]
    [InlineData("/api/no-such-route", HttpStatusCode.NotFound)]
    public async Task RefusalsByTheAuthorizationMiddlewareAndNotFoundCarryTheSecurityHeadersToo(string path, HttpStatusCode status)
    {
        var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.True(response.Headers.Contains("Content-Security-Policy"), $"{path} ({(int)response.StatusCode}) has no CSP");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task HatchingFasterThanTheLimitGets429WithRetryAfterAndOtherUsersAreUnaffected()
    {
        var (client, _) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", new[] { new { text = "Attention is the scarcest resource.", source = "Deep Work" } })).EnsureSuccessStatusCode();

        for (var i = 0; i < RateLimitedAppFactory.HatchesPerMinute; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/hatches", new { })).StatusCode);
        var refused = await client.PostAsJsonAsync("/api/hatches", new { });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        var (other, _) = await factory.NewUserAsync();
        (await other.PostAsJsonAsync("/api/highlights", new[] { new { text = "Deliberate practice needs feedback.", source = "Peak" } })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostAsJsonAsync("/api/hatches", new { })).StatusCode);
    }
}
