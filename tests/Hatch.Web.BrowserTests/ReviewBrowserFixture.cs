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
/// Like <see cref="BrowserFixture"/>, with an OpenAI-compatible model served by <see cref="FakeOpenAIServer"/> on
/// 127.0.0.1 (it writes the article and revises sections), and an editor account made the way an operator would.
/// </summary>
public sealed class ReviewBrowserFixture : IAsyncLifetime
{
    public const string EditorEmail = "editor@example.com";
    public const string Password = "Passw0rd!x";
    public const string RevisedText = "Concretely: block two mornings a week for practice at the edge of your ability";

    private sealed class KestrelFactory(string connectionString, Uri llm) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Hatch", connectionString);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            builder.UseSetting("Hatch:Llm:Provider", "OpenAICompatible");
            builder.UseSetting("Hatch:Llm:Model", "browser-model");
            builder.UseSetting("Hatch:Llm:Endpoint", llm.ToString());
            builder.UseSetting("Hatch:Embeddings:Provider", "None");
        }
    }

    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-review-browser-").FullName;
    private KestrelFactory? _factory;
    private IPlaywright? _playwright;

    public FakeOpenAIServer Llm { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Llm = await FakeOpenAIServer.StartAsync();
        // The article cites the first highlights it was given; a revision cites the first highlight of its section.
        Llm.Responder = request => request.MessagesText.Contains("revise one section")
            ? FakeReply.Text($"{RevisedText} [1].")
            : FakeReply.Text(ArticleJson.ValidJson(1, 2, 3));

        _factory = new KestrelFactory($"Data Source={Path.Combine(_folder, "hatch.db")}", Llm.OpenAIEndpoint);
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/');

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
            var editor = new HatchUser { UserName = EditorEmail, Email = EditorEmail, EmailConfirmed = true, DisplayName = "Eve Editor" };
            Assert.True((await users.CreateAsync(editor, Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(editor, HatchUser.Roles.Editor)).Succeeded);
        }

        var chromium = Environment.GetEnvironmentVariable("HATCH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"Chromium is not at {chromium}: `apt-get install -y chromium` (scripts/test.sh does it) or set HATCH_CHROMIUM.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        if (Llm is not null) await Llm.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
