using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// The embedded default in Production behind a TLS-terminating proxy at a configured address (<c>Hatch:Web:KnownProxies</c>),
/// migrated first by a Development start.
/// </summary>
public sealed class BehindAProxyAppFactory : HatchAppFactory
{
    public static readonly IPAddress Proxy = IPAddress.Parse("10.20.30.40");

    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-proxy-").FullName;

    public BehindAProxyAppFactory()
    {
        using var migrate = new Migrate(ConnectionString);
        migrate.CreateClient().Dispose();
    }

    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "hatch.db")}";

    protected override string Environment => "Production";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Web:KnownProxies:0", Proxy.ToString());
    }

    private sealed class Migrate(string connectionString) : HatchAppFactory
    {
        protected override string ConnectionString => connectionString;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Behind a TLS proxy the app learns the scheme from <c>X-Forwarded-Proto</c>, but only when the proxy is one it was
/// told to believe; and outside Development every cookie is Secure whatever the scheme.
/// </summary>
public sealed class ForwardedHeadersTests(BehindAProxyAppFactory factory) : IClassFixture<BehindAProxyAppFactory>
{
    /// <summary>A plain-http request for <paramref name="path"/> from <paramref name="from"/>, claiming the client used HTTPS.</summary>
    private Task<HttpContext> ForwardedFromAsync(IPAddress from, string path) => factory.Server.SendAsync(context =>
    {
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("hatch.example.org");
        context.Request.Path = path;
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
        context.Connection.RemoteIpAddress = from;
    });

    private static string? SetCookie(HttpContext context, string prefix) =>
        context.Response.Headers.SetCookie.FirstOrDefault(c => c?.StartsWith(prefix, StringComparison.Ordinal) == true);

    [Fact]
    public async Task AForwardedHttpsRequestFromTheConfiguredProxyGetsHstsAndASecureCookie()
    {
        var response = await ForwardedFromAsync(BehindAProxyAppFactory.Proxy, "/Account/Login");

        Assert.Equal(StatusCodes.Status200OK, response.Response.StatusCode);
        Assert.True(response.Response.Headers.StrictTransportSecurity.Count > 0, "no HSTS behind the configured proxy");
        Assert.Contains("max-age=", response.Response.Headers.StrictTransportSecurity.ToString());
        Assert.Contains("secure", SetCookie(response, ".AspNetCore.Antiforgery.")!.ToLowerInvariant());
    }

    [Fact]
    public async Task TheSameHeaderFromAnUnknownAddressIsNotBelieved()
    {
        foreach (var from in new[] { IPAddress.Parse("198.51.100.23"), IPAddress.Loopback })
        {
            var trusted = await ForwardedFromAsync(BehindAProxyAppFactory.Proxy, "/health");
            var untrusted = await ForwardedFromAsync(from, "/health");

            Assert.Equal(StatusCodes.Status200OK, untrusted.Response.StatusCode);
            Assert.True(trusted.Response.Headers.StrictTransportSecurity.Count > 0, "no HSTS behind the configured proxy");
            Assert.True(untrusted.Response.Headers.StrictTransportSecurity.Count == 0, $"{from} made the app believe it was served over HTTPS");
            Assert.Equal("http", untrusted.Request.Scheme);
            Assert.Equal(from, untrusted.Connection.RemoteIpAddress);
            Assert.Equal(IPAddress.Parse("203.0.113.9"), trusted.Connection.RemoteIpAddress);
        }
    }

    [Fact]
    public async Task InProductionTheSignInCookieIsSecureEvenOverPlainHttp()
    {
        var (_, email) = await factory.NewUserAsync();
        var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://hatch.example.org"), HandleCookies = false });

        var response = await http.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A proxy that forgets to forward the scheme cannot make the session cookie travel in clear.
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hatch.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie.ToLowerInvariant());
    }

    [Fact]
    public async Task APageAskedForOverPlainHttpInProductionSaysToUseHttpsInsteadOfFailing()
    {
        var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://hatch.example.org") });

        var response = await http.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("HTTPS", text);
        Assert.Contains("Hatch:Web:KnownProxies", text);
    }
}
