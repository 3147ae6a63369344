using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hatch.Data;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// The app on PostgreSQL with a model behind a recognisable API key, a signed publish webhook, and every log event
/// captured at Trace level.
/// </summary>
public sealed class LoggedAppFactory : ReviewAppFactory
{
    public const string ApiKey = "sk-hatch-LEAKCHECK-5f1e9a7c2b";
    public const string WebhookSecret = "whsec-LEAKCHECK-8c3d";

    public LogCapture Logs { get; } = new();
    public WebhookReceiver Receiver { get; } = WebhookReceiver.StartAsync().GetAwaiter().GetResult();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Llm.ApiKey = ApiKey; // the fake model refuses any other key, so the key really is sent
        builder.UseSetting("Hatch:Llm:ApiKey", ApiKey);
        builder.UseSetting("Hatch:Webhooks:PublishUrl", Receiver.Url);
        builder.UseSetting("Hatch:Webhooks:Secret", WebhookSecret);
        builder.UseSetting("Hatch:Webhooks:SiteUrl", "https://hatch.example.com");
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            // Whatever appsettings.json says for other providers, this one hears everything.
            logging.AddFilter<LogCapture>(null, LogLevel.Trace);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>
/// A full run (register, a failed and a good sign-in by token and by cookie, a page import with its anti-forgery
/// token, a hatch by the model, a token refresh, review and publishing with the webhook) and then a grep of every log
/// line for the secrets it handled: the API key, the webhook secret, the passwords, the tokens and the cookie values.
/// </summary>
public sealed class SecretsNeverLoggedTests(LoggedAppFactory factory) : IClassFixture<LoggedAppFactory>
{
    private const string WrongPassword = "Wr0ng-LEAKCHECK-pass!";

    [Fact]
    public async Task AFullRunLogsNoSecretTokenPasswordOrCookie()
    {
        factory.Llm.Responder = _ => FakeReply.Text(ArticleJson.ValidJson(1, 2, 3));
        var email = $"leak{Guid.NewGuid():N}@example.com";
        var password = "Pa55-LEAKCHECK-" + Guid.NewGuid().ToString("N")[..8];
        var secrets = new Dictionary<string, string> { ["API key"] = LoggedAppFactory.ApiKey, ["webhook secret"] = LoggedAppFactory.WebhookSecret, ["password"] = password, ["wrong password"] = WrongPassword };

        // Register; a wrong password; a bearer sign-in; a cookie sign-in.
        var api = factory.CreateClient();
        (await api.PostAsJsonAsync("/api/auth/register", new { email, password })).EnsureSuccessStatusCode();
        Assert.False((await api.PostAsJsonAsync("/api/auth/login", new { email, password = WrongPassword })).IsSuccessStatusCode);
        var tokens = await (await api.PostAsJsonAsync("/api/auth/login", new { email, password })).EnsureSuccessStatusCode().JsonAsync();
        secrets["access token"] = tokens.GetProperty("accessToken").GetString()!;
        secrets["refresh token"] = tokens.GetProperty("refreshToken").GetString()!;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secrets["access token"]);

        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookieLogin = await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password });
        var authCookie = CookieValue(cookieLogin, "hatch.auth");
        secrets["sign-in cookie"] = authCookie;
        var page = await SendAsync(browser, HttpMethod.Get, "/Highlights", $"hatch.auth={authCookie}");
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(".AspNetCore.Antiforgery.")).Split(';')[0];
        secrets["anti-forgery cookie"] = antiforgeryCookie.Split('=', 2)[1];
        var formToken = AntiforgeryForm.Token(await page.Content.ReadAsStringAsync());
        secrets["anti-forgery form token"] = formToken;

        // Import through the page form, with the cookie and the token, as a browser would.
        using (var form = new MultipartFormDataContent
               {
                   { new StringContent(await File.ReadAllTextAsync(RepositoryRoot.Combine("samples", "highlights.md"))), "upload", "highlights.md" },
                   { new StringContent(formToken), "__RequestVerificationToken" },
               })
        {
            var import = await SendAsync(browser, HttpMethod.Post, "/Highlights?handler=Import", $"hatch.auth={authCookie}; {antiforgeryCookie}", form);
            Assert.Equal(System.Net.HttpStatusCode.OK, import.StatusCode);
        }

        // Hatch with the model, then refresh the token.
        var accepted = await (await api.PostAsJsonAsync("/api/hatches", new { })).EnsureSuccessStatusCode().JsonAsync();
        var done = await ReviewSeed.EventuallyAsync(
            async () => await api.GetFromJsonAsync<JsonElement>($"/api/hatches/{accepted.GetProperty("id").GetGuid()}"),
            s => s.GetProperty("status").GetString() is "Succeeded" or "Failed", "the hatch to finish");
        Assert.True(done.GetProperty("status").GetString() == "Succeeded", done.ToString());
        Assert.Contains(factory.Llm.Requests, r => r.Header("Authorization") == "Bearer " + LoggedAppFactory.ApiKey);
        var refreshed = await (await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = secrets["refresh token"] })).EnsureSuccessStatusCode().JsonAsync();
        secrets["refreshed access token"] = refreshed.GetProperty("accessToken").GetString()!;

        // Review and publish: the webhook is signed with the secret.
        var draftId = done.GetProperty("draftId").GetGuid();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        (await api.PostAsJsonAsync($"/api/drafts/{draftId}/submit", new { })).EnsureSuccessStatusCode();
        (await editor.Client.PostJsonAsync($"/api/drafts/{draftId}/approve")).EnsureSuccessStatusCode();
        (await editor.Client.PostJsonAsync($"/api/drafts/{draftId}/publish")).EnsureSuccessStatusCode();
        await ReviewSeed.EventuallyAsync(() => Task.FromResult(factory.Receiver.Deliveries.Count), n => n > 0, "the webhook delivery");
        secrets["editor bearer token"] = editor.Client.DefaultRequestHeaders.Authorization!.Parameter!;

        var lines = factory.Logs.Entries.Select(e => e.ToString()).ToArray();
        Assert.True(lines.Length > 100, $"only {lines.Length} log lines were captured; is the capture wired?");
        Assert.Contains(lines, l => l.Contains("Hatch.Core") || l.Contains("KernelArticleWriter") || l.Contains("Hatch."));
        var leaks = (from secret in secrets
                     from line in lines
                     where line.Contains(secret.Value, StringComparison.Ordinal)
                     select $"{secret.Key}: {line[..Math.Min(300, line.Length)]}").Take(20).ToArray();
        Assert.True(leaks.Length == 0, $"{leaks.Length} log line(s) carry a secret:\n" + string.Join("\n", leaks));
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"Bearer\s+[A-Za-z0-9_\-]{20,}"));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string cookies, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookies);
        request.Headers.Accept.ParseAdd("text/html");
        return await client.SendAsync(request);
    }

    private static string CookieValue(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(name + "=")).Split(';')[0][(name.Length + 1)..];

}
