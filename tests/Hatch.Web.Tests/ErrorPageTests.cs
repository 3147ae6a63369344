using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>
/// The SQLite default in Production (Development would show its exception page instead), migrated first by a
/// Development start, with pages that fail on purpose when asked to.
/// </summary>
public sealed class FailingPagesAppFactory : HatchAppFactory
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-test-").FullName;

    public FailingPagesAppFactory()
    {
        using var migrate = new Migrate(ConnectionString);
        migrate.CreateClient().Dispose();
    }

    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "hatch.db")}";

    protected override string Environment => "Production";

    private sealed class Migrate(string connectionString) : HatchAppFactory
    {
        protected override string ConnectionString => connectionString;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Configure<MvcOptions>(o => o.Filters.Add(new FailOnRequest())));
    }

    /// <summary>A page asked for with ?fail=1 throws, as a bug in a page would, inside the app's error handling.</summary>
    private sealed class FailOnRequest : IResourceFilter
    {
        public void OnResourceExecuting(ResourceExecutingContext context)
        {
            // The error page is re-executed with the same query string; it must not fail too.
            if (context.HttpContext.Request.Query.ContainsKey("fail") && !context.HttpContext.Request.Path.StartsWithSegments("/Error")) throw new InvalidOperationException("secret internal detail");
        }

        public void OnResourceExecuted(ResourceExecutedContext context) { }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Without JavaScript, a person in a browser sees error pages; API callers keep ProblemDetails.</summary>
public sealed class ErrorPageTests(FailingPagesAppFactory factory) : IClassFixture<FailingPagesAppFactory>
{
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private async Task<HttpResponseMessage> GetAsync(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        return await factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") }).SendAsync(request);
    }

    [Fact]
    public async Task ABrowserAskingForAMissingPageGetsAFriendlyHtmlPageWith404()
    {
        var response = await GetAsync("/no/such/page", BrowserAccept);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Page not found</h1>", html);
        Assert.Contains("href=\"/\"", html);
    }

    [Fact]
    public async Task ABrowserHittingAServerErrorGetsAFriendlyHtmlPageWith500AndNoInternals()
    {
        var response = await GetAsync("/Account/Login?fail=1", BrowserAccept);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Something went wrong</h1>", html);
        Assert.DoesNotContain("secret internal detail", html);
    }

    [Fact]
    public async Task ApiCallersStillGetProblemDetailsForAMissingRoute()
    {
        var missing = await GetAsync("/api/no-such-route", "application/json");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        // An API path keeps ProblemDetails even when the caller's Accept would take HTML.
        var unknown = await GetAsync("/api/no-such-route", BrowserAccept);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
