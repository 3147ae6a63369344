using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests.Hostile;

/// <summary>PostgreSQL with every rate limit, and the library quota, small enough to reach in a test.</summary>
public sealed class TightLimitsAppFactory : PostgresAppFactory
{
    public const int HatchesPerMinute = 2;
    /// <summary>Room for the four imports of the library-quota test, made by one user within its minute.</summary>
    public const int ImportsPerMinute = 4;
    public const int RevisionsPerMinute = 2;
    public const int SemanticSearchesPerMinute = 2;
    public const int SignInsPerMinute = 3;
    public const int RegistrationsPerHour = 2;
    public const int MaxHighlightsPerUser = 5;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:RateLimits:HatchesPerMinute", HatchesPerMinute.ToString());
        builder.UseSetting("Hatch:RateLimits:ImportsPerMinute", ImportsPerMinute.ToString());
        builder.UseSetting("Hatch:RateLimits:RevisionsPerMinute", RevisionsPerMinute.ToString());
        builder.UseSetting("Hatch:RateLimits:SemanticSearchesPerMinute", SemanticSearchesPerMinute.ToString());
        builder.UseSetting("Hatch:RateLimits:SignInsPerMinute", SignInsPerMinute.ToString());
        builder.UseSetting("Hatch:RateLimits:RegistrationsPerHour", RegistrationsPerHour.ToString());
        builder.UseSetting("Hatch:Limits:MaxHighlightsPerUser", MaxHighlightsPerUser.ToString());
    }

    /// <summary>A client whose requests come from <paramref name="address"/>, keeping cookies like a browser.</summary>
    public HttpClient ClientFrom(string address) =>
        new(new CookieContainerHandler { InnerHandler = Server.CreateHandler(context => context.Connection.RemoteIpAddress = IPAddress.Parse(address)) })
        {
            BaseAddress = Server.BaseAddress,
        };

    /// <summary>A new user registered and signed in (bearer token and cookie) from an address of its own.</summary>
    public async Task<(HttpClient Client, string Email)> UserFromOwnAddressAsync()
    {
        var client = ClientFrom($"10.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}");
        var email = $"u{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = Password })).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        return (client, email);
    }
}

/// <summary>
/// Every expensive or guessable action has its limit where it is handled, whichever road reaches it: Razor Pages picks
/// handlers by name ignoring case and takes the first of repeated names, so a limit keyed on the query string could be
/// walked around; a limit on the handler cannot.
/// </summary>
public sealed class RateLimitTests(TightLimitsAppFactory factory) : IClassFixture<TightLimitsAppFactory>
{
    private static async Task<string> TokenAsync(HttpClient client, string page) =>
        AntiforgeryForm.Token(await client.GetStringAsync(page));

    private static async Task<Guid[]> AddHighlightsAsync(HttpClient client, int count)
    {
        var response = await client.PostAsJsonAsync("/api/highlights",
            Enumerable.Range(1, count).Select(i => new { text = $"Passage {i} {Guid.NewGuid():N} about deliberate practice.", source = "Peak" }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetGuid()).ToArray();
    }

    [Fact]
    public async Task EveryPageAndApiRoadToHatchingDrawsOnOneAllowance()
    {
        var (client, email) = await factory.UserFromOwnAddressAsync();
        var ids = await AddHighlightsAsync(client, 2);
        var token = await TokenAsync(client, "/Highlights");
        client.DefaultRequestHeaders.Authorization = null; // the page posts ride on the cookie alone

        FormUrlEncodedContent HatchAll() => new([new("Hatch.Scope", "all"), new("__RequestVerificationToken", token)]);
        FormUrlEncodedContent HatchTheme() => new([new("themeIds", ids[0].ToString()), new("__RequestVerificationToken", token)]);

        // The handler name in another case, and the one-click theme handler: both hatch, and both count.
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/Highlights?handler=hatch", HatchAll())).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/Highlights?handler=HatchTheme", HatchTheme())).StatusCode);

        var repeated = await client.PostAsync("/Highlights?handler=Hatch&handler=x", HatchAll());
        Assert.Equal(HttpStatusCode.TooManyRequests, repeated.StatusCode);
        Assert.True(int.Parse(repeated.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/Highlights?handler=HATCHTHEME", HatchTheme())).StatusCode);
        // A cookie-signed API call sends the page's token in the header, as the pages' scripts would.
        var api = new HttpRequestMessage(HttpMethod.Post, "/api/hatches") { Content = JsonContent.Create(new { }) };
        api.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(api)).StatusCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var owner = await factory.UserIdAsync(email);
        Assert.Equal(TightLimitsAppFactory.HatchesPerMinute, scope.ServiceProvider.GetRequiredService<HatchDbContext>().HatchRequests.Count(r => r.UserId == owner));
    }

    [Fact]
    public async Task AskingTheModelToReviseSectionsFasterThanTheLimitGets429()
    {
        var (client, email) = await factory.UserFromOwnAddressAsync();
        var draftId = await factory.DraftAsync(await factory.UserIdAsync(email), DraftStatus.Draft, "nobody");

        for (var i = 0; i < TightLimitsAppFactory.RevisionsPerMinute; i++)
        {
            // No model is configured here, so each request is answered (409) without one; it still counts.
            var answered = await client.PostAsJsonAsync($"/api/drafts/{draftId}/sections/0/revise", new { instruction = "shorter" });
            Assert.Equal(HttpStatusCode.Conflict, answered.StatusCode);
        }
        var refused = await client.PostAsJsonAsync($"/api/drafts/{draftId}/sections/0/revise", new { instruction = "shorter" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        var token = await TokenAsync(client, $"/Drafts/{draftId}");
        var page = await client.PostAsync($"/Drafts/{draftId}?handler=revise&index=0",
            new FormUrlEncodedContent([new("index", "0"), new("instruction", "shorter"), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
    }

    [Fact]
    public async Task SearchingByMeaningFasterThanTheLimitGets429WhileWordSearchGoesOn()
    {
        var (client, _) = await factory.UserFromOwnAddressAsync();
        await AddHighlightsAsync(client, 2);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/highlights?q=practice&mode=semantic")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Highlights?Q=practice&Mode=hybrid")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/highlights?q=practice&mode=hybrid")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/Highlights?q=practice&mode=SEMANTIC")).StatusCode);

        // Matching words embeds nothing and is not limited.
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/highlights?q=practice")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Highlights?Q=practice")).StatusCode);
    }

    [Fact]
    public async Task SignInAttemptsFromOneAddressAreLimitedOnTheApiAndThePageAlike()
    {
        var (_, email) = await factory.UserFromOwnAddressAsync();
        var guesser = factory.ClientFrom("192.0.2.10");
        var token = await TokenAsync(guesser, "/Account/Login");
        for (var i = 0; i < TightLimitsAppFactory.SignInsPerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsJsonAsync("/api/auth/login", new { email, password = $"guess{i}" })).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.PostAsJsonAsync("/api/auth/login", new { email, password = HatchAppFactory.Password })).StatusCode);
        var page = await guesser.PostAsync("/Account/Login", new FormUrlEncodedContent(
            [new("Form.Email", email), new("Form.Password", HatchAppFactory.Password), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);

        // The owner, from their own address, is not locked out by the guesser.
        var owner = factory.ClientFrom("192.0.2.11");
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/api/auth/login", new { email, password = HatchAppFactory.Password })).StatusCode);
    }

    [Fact]
    public async Task RegistrationsFromOneAddressAreLimited()
    {
        var client = factory.ClientFrom("198.51.100.7");
        for (var i = 0; i < TightLimitsAppFactory.RegistrationsPerHour; i++)
            (await client.PostAsJsonAsync("/api/auth/register", new { email = $"r{Guid.NewGuid():N}@example.com", password = HatchAppFactory.Password })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await client.PostAsJsonAsync("/api/auth/register", new { email = $"r{Guid.NewGuid():N}@example.com", password = HatchAppFactory.Password })).StatusCode);
        var token = await TokenAsync(client, "/Account/Register");
        var page = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(
        [
            new("Form.Email", $"r{Guid.NewGuid():N}@example.com"), new("Form.Password", HatchAppFactory.Password),
            new("Form.ConfirmPassword", HatchAppFactory.Password), new("__RequestVerificationToken", token),
        ]));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);

        var elsewhere = factory.ClientFrom("198.51.100.8");
        (await elsewhere.PostAsJsonAsync("/api/auth/register", new { email = $"r{Guid.NewGuid():N}@example.com", password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task ImportsFasterThanTheLimitGet429OnTheApiAndThePageFormAlike()
    {
        var (client, _) = await factory.UserFromOwnAddressAsync();
        var token = await TokenAsync(client, "/Highlights");
        var bearer = client.DefaultRequestHeaders.Authorization;
        string OnePassage(string road) => JsonSerializer.Serialize(new[] { new { text = $"A passage imported through {road} {Guid.NewGuid():N}.", source = "Peak" } });
        MultipartFormDataContent ApiUpload() => new() { { new StringContent(OnePassage("the API upload"), Encoding.UTF8), "file", "one.json" } };
        MultipartFormDataContent PageUpload() => new()
        {
            { new StringContent(OnePassage("the page form"), Encoding.UTF8), "upload", "one.json" },
            { new StringContent(token), "__RequestVerificationToken" },
        };

        // Up to the limit, every road imports, and every road counts.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/highlights", new StringContent(OnePassage("the API batch"), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/highlights/import", ApiUpload())).StatusCode);
        client.DefaultRequestHeaders.Authorization = null; // the page posts ride on the cookie alone
        for (var i = 2; i < TightLimitsAppFactory.ImportsPerMinute; i++)
        {
            var page = await client.PostAsync("/Highlights?handler=Import", PageUpload());
            Assert.True(page.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"page import {i + 1}: {(int)page.StatusCode}");
        }

        var overThePage = await client.PostAsync("/Highlights?handler=import", PageUpload());
        Assert.Equal(HttpStatusCode.TooManyRequests, overThePage.StatusCode);
        Assert.True(int.Parse(overThePage.Headers.GetValues("Retry-After").Single()) >= 1);
        client.DefaultRequestHeaders.Authorization = bearer;
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/api/highlights/import", ApiUpload())).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/api/highlights", new StringContent(OnePassage("the API batch"), Encoding.UTF8, "application/json"))).StatusCode);

        // One passage from each import within the limit, none from those over it.
        Assert.Equal(TightLimitsAppFactory.ImportsPerMinute, (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnImportThatWouldPassTheLibraryQuotaIsRefusedWholeNamingTheOption()
    {
        var (client, _) = await factory.UserFromOwnAddressAsync();
        await AddHighlightsAsync(client, TightLimitsAppFactory.MaxHighlightsPerUser - 1);

        var batch = await client.PostAsJsonAsync("/api/highlights", new[] { new { text = "One more passage.", source = "Peak" }, new { text = "And another.", source = "Peak" } });
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        var problem = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Hatch:Limits:MaxHighlightsPerUser", problem.GetProperty("limit").GetString());
        Assert.Contains("at most 5", problem.GetProperty("detail").GetString());

        using var upload = new MultipartFormDataContent { { new StringContent("# A book\n\n- First new passage.\n- Second new passage.\n", Encoding.UTF8), "file", "more.md" } };
        var file = await client.PostAsync("/api/highlights/import", upload);
        Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
        Assert.Contains("MaxHighlightsPerUser", await file.Content.ReadAsStringAsync());

        Assert.Equal(TightLimitsAppFactory.MaxHighlightsPerUser - 1, (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("total").GetInt32());
        // Up to the quota is fine.
        (await client.PostAsJsonAsync("/api/highlights", new[] { new { text = "The last passage that fits.", source = "Peak" } })).EnsureSuccessStatusCode();
    }
}

/// <summary>A draft cannot queue model revisions without end: each is a model call.</summary>
public sealed class PendingRevisionCapTests(ReviewAppFactory factory) : IClassFixture<ReviewAppFactory>
{
    [Fact]
    public async Task ADraftWithTheMostRevisionsPendingRefusesAnotherWith409NamingTheLimit()
    {
        var author = await factory.UserAsync();
        var draftId = await factory.DraftAsync(author.Id, DraftStatus.Draft, "nobody");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // Queued and never picked up (no job was enqueued for them): pending, as behind a slow model.
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            for (var i = 0; i < 3; i++)
                db.SectionRevisions.Add(SectionRevisionRequest.Create(draftId, 0, $"pending {i}", author.Id, 1, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var refused = await author.Client.PostAsJsonAsync($"/api/drafts/{draftId}/sections/0/revise", new { instruction = "shorter" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Too many revisions pending", problem.GetProperty("title").GetString());
        Assert.Contains("Hatch:Limits:MaxPendingRevisionsPerDraft", problem.GetProperty("detail").GetString());
        await using var check = factory.Services.CreateAsyncScope();
        Assert.Equal(3, check.ServiceProvider.GetRequiredService<HatchDbContext>().SectionRevisions.Count(r => r.DraftId == draftId));
    }
}
