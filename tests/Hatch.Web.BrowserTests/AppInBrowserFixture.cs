using Hatch.Data;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Hatch.Web.BrowserTests;

/// <summary>
/// The app on a real Kestrel (127.0.0.1, any free port) with its own SQLite file, and one headless Debian Chromium
/// for the test class. Each fixture adds its settings (a model, no embeddings) and what it seeds (an editor).
/// </summary>
public abstract class AppInBrowserFixture(string folderPrefix) : IAsyncLifetime
{
    public const string EditorEmail = "editor@example.com";
    public const string Password = "Passw0rd!x";

    private sealed class KestrelFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            // Every browser signs in from 127.0.0.1; the per-address limits are tested in Hatch.Web.Tests.
            builder.UseSetting("Hatch:RateLimits:SignInsPerMinute", "10000");
            builder.UseSetting("Hatch:RateLimits:RegistrationsPerHour", "10000");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }

    private KestrelFactory? _factory;
    private IPlaywright? _playwright;

    public string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    /// <summary>Configuration beyond the database, read when the app starts.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>();

    /// <summary>Runs before the app starts (a fake model server it must point at).</summary>
    protected virtual Task BeforeAppStartsAsync() => Task.CompletedTask;

    /// <summary>Runs once the app is up, with its services (accounts the tests sign in with).</summary>
    protected virtual Task SeedAsync(IServiceProvider services) => Task.CompletedTask;

    /// <summary>Releases what <see cref="BeforeAppStartsAsync"/> started.</summary>
    protected virtual ValueTask DisposeExtrasAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        await BeforeAppStartsAsync();
        var settings = new Dictionary<string, string?>(Settings()) { ["ConnectionStrings:Hatch"] = $"Data Source={Path.Combine(Folder, "hatch.db")}" };
        _factory = new KestrelFactory(settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/');
        await using (var scope = _factory.Services.CreateAsyncScope())
            await SeedAsync(scope.ServiceProvider);

        var chromium = Environment.GetEnvironmentVariable("HATCH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium is not at {chromium}: `apt-get install -y chromium` (scripts/test.sh does it) or set HATCH_CHROMIUM.");
        Assertions.SetDefaultExpectTimeout(BrowserTimeouts.Expect);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser context on the app (its own cookies) with the browser tests' timeouts.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL ??= BaseUrl;
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(BrowserTimeouts.Action);
        context.SetDefaultNavigationTimeout(BrowserTimeouts.Navigation);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        await DisposeExtrasAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>A file of the repository's samples/ folder, which the tests import as a user would.</summary>
    public static string Sample(string name) => RepositoryRoot.Combine("samples", name);

    /// <summary>An editor account, made the way an operator would (the tests sign in with it).</summary>
    protected static async Task AddEditorAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<UserManager<HatchUser>>();
        var editor = new HatchUser { UserName = EditorEmail, Email = EditorEmail, EmailConfirmed = true, DisplayName = "Eve Editor" };
        Assert.True((await users.CreateAsync(editor, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(editor, HatchUser.Roles.Editor)).Succeeded);
    }
}

/// <summary>
/// The browser tests' timeouts, in one place. Their fixtures run beside each other and the rest of the suite on 2 cores,
/// where Playwright's defaults (5 s for an Expect assertion, 30 s for an action or a navigation) fail pages that are
/// only slow: a first render that loads the embedding model, a hatch waiting for a busy worker.
/// </summary>
public static class BrowserTimeouts
{
    public const float Expect = 15_000;
    public const float Action = 90_000;
    public const float Navigation = 90_000;
}
