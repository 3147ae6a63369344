using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Digests;
using Hatch.Domain.Highlights;
using Hatch.Features.Digests;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>
/// The app on its own PostgreSQL database with a <see cref="FakeTimeProvider"/> for "now" and no Hangfire worker:
/// tests run the dispatcher and the digest jobs themselves, at the times they choose.
/// </summary>
public class DigestAppFactory : HatchAppFactory
{
    /// <summary>Monday 2 March 2026, 00:00 UTC; tests only move it forward.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));

    protected override string ConnectionString => OwnedPostgresDatabase;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Jobs:RunWorker", "false");
        // Small, so a pass with more than a handful of digests goes through the fan-out jobs as a big one would.
        builder.UseSetting("Hatch:Digests:FanOutSize", "10");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>Signs in again: bearer tokens expire by the fake clock, which the tests move on by days.</summary>
    public async Task<HttpClient> LoginAsync(string email)
    {
        var client = CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class DigestTests(DigestAppFactory factory) : IClassFixture<DigestAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static readonly string[] Passages = [.. PracticePassages.All];

    private FakeTimeProvider Clock => factory.Clock;

    private static DigestSettings DailyAtNine(int minNew = 5) => new()
    {
        Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(9, 0), TimeZone = "UTC", MinNewHighlights = minNew,
    };

    /// <summary>Moves the clock to the next UTC midnight, then on by <paramref name="after"/>: a known wall-clock time.</summary>
    private DateTimeOffset AdvanceToNextDay(TimeSpan after)
    {
        var midnight = new DateTimeOffset(Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        Clock.SetUtcNow(midnight + after);
        return midnight + after;
    }

    private async Task<(string UserId, string Email)> NewReaderAsync()
    {
        var (_, email) = await factory.NewUserAsync();
        return (await factory.UserIdAsync(email), email);
    }

    private async Task SaveSettingsAsync(string userId, DigestSettings settings)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var (saved, errors) = await scope.ServiceProvider.GetRequiredService<DigestSettingsStore>().SaveAsync(userId, settings);
        Assert.True(saved is not null, string.Join("; ", errors));
    }

    /// <summary>Stores highlights as if imported at <paramref name="addedAt"/>.</summary>
    private async Task AddHighlightsAsync(string userId, int count, DateTimeOffset addedAt, int offset = 0)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        for (var i = 0; i < count; i++)
        {
            var text = Passages[(offset + i) % Passages.Length] + $" ({offset + i})";
            db.Highlights.Add(StoredHighlight.From(userId, new Highlight { Text = text, Source = new HighlightSource(i % 2 == 0 ? "Peak" : "Deep Work") }, addedAt));
        }
        await db.SaveChangesAsync();
    }

    private async Task<DispatchResult> DispatchAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
    }

    private async Task<List<StoredDigest>> DigestsOfAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestsOf(userId).AsNoTracking().OrderBy(d => d.PeriodEnd).ToListAsync();
    }

    private async Task<StoredDigestSettings> SettingsRowAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestSettings.AsNoTracking().SingleAsync(s => s.UserId == userId);
    }

    private async Task RunDigestJobAsync(Guid digestId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(digestId, CancellationToken.None);
    }

    [Fact]
    public async Task SettingsSavedThroughTheApiComeBackInTheSameShape()
    {
        var (client, _) = await factory.NewUserAsync();
        using (var defaults = JsonDocument.Parse(await client.GetStringAsync("/api/digest-settings")))
        {
            Assert.False(defaults.RootElement.GetProperty("enabled").GetBoolean());
            Assert.Equal("weekly", defaults.RootElement.GetProperty("cadence").GetString());
            Assert.Equal(5, defaults.RootElement.GetProperty("minNewHighlights").GetInt32());
            Assert.Equal("both", defaults.RootElement.GetProperty("delivery").GetString());
        }

        var sent = """
            {"enabled":true,"cadence":"weekly","cron":null,"localTime":"07:30","dayOfWeek":"Friday","timeZone":"Europe/Berlin",
             "minNewHighlights":3,"maxHighlights":25,"style":"newsletter","language":"de","submitForReview":true,"delivery":"email"}
            """;
        var put = await client.PutAsync("/api/digest-settings", new StringContent(sent, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var expected = JsonDocument.Parse(sent);
        using var got = JsonDocument.Parse(await client.GetStringAsync("/api/digest-settings"));
        Assert.Equal(
            expected.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Order(),
            got.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Order());
    }

    [Fact]
    public async Task InvalidSettingsAreRefusedWithAProblemNamingEachField()
    {
        var (client, _) = await factory.NewUserAsync();
        var response = await client.PutAsJsonAsync("/api/digest-settings", new
        {
            enabled = true, cadence = "cron", cron = "*/5 * * * *", localTime = "09:00", dayOfWeek = "Monday",
            timeZone = "Mars/Olympus_Mons", minNewHighlights = 0, maxHighlights = 40, style = "limerick", language = "en", submitForReview = false,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["cron", "minNewHighlights", "style", "timeZone"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("more than once an hour", errors.GetProperty("cron")[0].GetString());
        Assert.Contains("'Mars/Olympus_Mons' is not an IANA time zone", errors.GetProperty("timeZone")[0].GetString());

        var badTime = await client.PutAsync("/api/digest-settings",
            new StringContent("""{"enabled":true,"cadence":"daily","localTime":"9 am","timeZone":"UTC"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        using var timeProblem = JsonDocument.Parse(await badTime.Content.ReadAsStringAsync());
        Assert.Contains("HH:mm", timeProblem.RootElement.GetProperty("errors").GetProperty("localTime")[0].GetString());

        var badDelivery = await client.PutAsync("/api/digest-settings",
            new StringContent("""{"enabled":true,"cadence":"daily","localTime":"09:00","timeZone":"UTC","delivery":"pigeon"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badDelivery.StatusCode);
        using var deliveryProblem = JsonDocument.Parse(await badDelivery.Content.ReadAsStringAsync());
        Assert.Equal("must be app, email or both", deliveryProblem.RootElement.GetProperty("errors").GetProperty("delivery")[0].GetString());

        // Nothing was stored: the reader still has digests off.
        using var stored = JsonDocument.Parse(await client.GetStringAsync("/api/digest-settings"));
        Assert.False(stored.RootElement.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task TheSettingsPageShowsTheNextRunInTheReadersTimeZoneWithLabelledControls()
    {
        var (userId, email) = await NewReaderAsync();
        AdvanceToNextDay(TimeSpan.FromHours(12)); // a Monday-to-Sunday day at 12:00 UTC
        await SaveSettingsAsync(userId, new DigestSettings
        {
            Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(18, 30), TimeZone = "Asia/Tokyo",
        });
        var client = await factory.LoginAsync(email);

        var html = await client.GetStringAsync("/Digests");

        // 12:00 UTC is 21:00 in Tokyo, so the next 18:30 there is tomorrow's, shown on the reader's clock.
        var tomorrowInTokyo = TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")).AddDays(1);
        Assert.Contains($"Next digest: <strong>{tomorrowInTokyo:dddd d MMMM}, 18:30 (Asia/Tokyo)</strong>", html);
        // Daily: neither the weekday nor the cron field is shown; the zone is picked from the IANA list.
        Assert.Matches("id=\"day-field\" hidden", html);
        Assert.Matches("id=\"cron-field\" hidden", html);
        Assert.Contains("<option value=\"Europe/Berlin\">", html);
        Assert.Contains("list=\"time-zones\"", html);
        Assert.Contains("<div class=\"field check\">", html);
        Assert.Contains("name=\"__RequestVerificationToken\"", html);
        foreach (var id in new[] { "enabled", "cadence", "dayOfWeek", "localTime", "timeZone", "cron", "minNewHighlights", "maxHighlights", "style", "language", "submitForReview" })
            Assert.Contains($"<label for=\"{id}\">", html);
    }

    [Fact]
    public async Task TheDigestEndpointsAreInTheOpenApiDocument()
    {
        using var doc = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/digest-settings").TryGetProperty("put", out _));
        Assert.True(paths.GetProperty("/api/digest-settings").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/digests").TryGetProperty("get", out _));
    }

    [Fact]
    public async Task ADueReaderGetsOneDigestForTheLastDayAndItsDraftAppearsInTheirDrafts()
    {
        var (userId, email) = await NewReaderAsync();
        var enabledAt = AdvanceToNextDay(TimeSpan.FromHours(8));
        await SaveSettingsAsync(userId, DailyAtNine() with { SubmitForReview = true });
        await AddHighlightsAsync(userId, 6, enabledAt.AddMinutes(10));
        var nine = enabledAt.AddHours(1);
        Assert.Equal(nine, (await SettingsRowAsync(userId)).NextRunAt);

        Clock.SetUtcNow(nine.AddSeconds(30));
        await DispatchAsync();
        await DispatchAsync(); // the next minute's pass finds nothing new for this reader

        var digest = Assert.Single(await DigestsOfAsync(userId));
        // A first daily digest covers a whole day back, even though digests were switched on an hour ago.
        Assert.Equal((nine.AddDays(-1), nine), (digest.PeriodStart, digest.PeriodEnd));
        Assert.False(digest.CatchUp);
        Assert.Equal(nine.AddDays(1), (await SettingsRowAsync(userId)).NextRunAt);

        await RunDigestJobAsync(digest.Id);

        var client = await factory.LoginAsync(email);
        var rows = await client.GetFromJsonAsync<List<DigestRow>>("/api/digests", Json);
        var row = Assert.Single(rows!);
        Assert.True(row.Status == DigestStatus.Succeeded, $"{row.Status}: {row.Error}");
        Assert.NotNull(row.DraftId);
        using var drafts = JsonDocument.Parse(await client.GetStringAsync("/api/drafts"));
        var listed = drafts.RootElement.ValueKind == JsonValueKind.Array ? drafts.RootElement : drafts.RootElement.GetProperty("items");
        var draft = Assert.Single(listed.EnumerateArray(), d => d.GetProperty("id").GetGuid() == row.DraftId);
        Assert.Equal("Submitted", draft.GetProperty("status").GetString());

        using var full = JsonDocument.Parse(await client.GetStringAsync($"/api/drafts/{row.DraftId}"));
        Assert.Equal(row.RequestId, full.RootElement.GetProperty("requestId").GetGuid());
    }

    [Fact]
    public async Task TooFewNewHighlightsSkipTheDigestWithItsReasonAndTheyCarryIntoTheNextOne()
    {
        var (userId, email) = await NewReaderAsync();
        var enabledAt = AdvanceToNextDay(TimeSpan.FromHours(8));
        await SaveSettingsAsync(userId, DailyAtNine(minNew: 5));
        await AddHighlightsAsync(userId, 2, enabledAt.AddMinutes(5));
        var nine = enabledAt.AddHours(1);

        Clock.SetUtcNow(nine.AddMinutes(1));
        await DispatchAsync();
        var skipped = Assert.Single(await DigestsOfAsync(userId));
        await RunDigestJobAsync(skipped.Id);
        Assert.Equal(nine.AddDays(1), (await SettingsRowAsync(userId)).NextRunAt);

        var client = await factory.LoginAsync(email);
        var row = Assert.Single((await client.GetFromJsonAsync<List<DigestRow>>("/api/digests", Json))!);
        Assert.Equal(DigestStatus.Skipped, row.Status);
        Assert.Equal($"2 new highlights since {nine.AddDays(-1):MMM d}; the minimum is 5", row.SkipReason);
        Assert.Null(row.DraftId);

        // Four more the next day: with the two carried over, the next digest has six and is written.
        await AddHighlightsAsync(userId, 4, nine.AddHours(3), offset: 2);
        Clock.SetUtcNow(nine.AddDays(1).AddMinutes(1));
        await DispatchAsync();
        var next = (await DigestsOfAsync(userId))[^1];
        Assert.Equal(nine.AddDays(1), next.PeriodEnd);
        await RunDigestJobAsync(next.Id);
        var written = (await DigestsOfAsync(userId))[^1];
        Assert.Equal((DigestStatus.Succeeded, 6), (written.Status, written.NewHighlights));
    }

    [Fact]
    public async Task AfterDowntimeAReaderGetsOneCatchUpDigestNotOnePerMissedDay()
    {
        var (userId, _) = await NewReaderAsync();
        var enabledAt = AdvanceToNextDay(TimeSpan.FromHours(8));
        await SaveSettingsAsync(userId, DailyAtNine());
        await AddHighlightsAsync(userId, 6, enabledAt.AddMinutes(5));

        // Down from 08:00 on day one until 10:15 on day four: the 09:00 runs of days one to four were missed.
        var back = enabledAt.AddDays(3).AddHours(2).AddMinutes(15);
        Clock.SetUtcNow(back);
        await DispatchAsync();

        var digest = Assert.Single(await DigestsOfAsync(userId));
        var lastNine = enabledAt.AddDays(3).AddHours(1);
        Assert.True(digest.CatchUp);
        Assert.Equal(lastNine, digest.PeriodEnd);
        Assert.Equal(lastNine.AddDays(1), (await SettingsRowAsync(userId)).NextRunAt);
    }

    [Fact]
    public async Task TwoDispatchersRunningAtOnceProduceExactlyOneDigestPerReaderAndPeriod()
    {
        const int readers = 25, rounds = 6;
        var start = AdvanceToNextDay(TimeSpan.FromHours(8));
        var ids = new List<string>();
        for (var i = 0; i < readers; i++)
        {
            var (userId, _) = await NewReaderAsync();
            await SaveSettingsAsync(userId, DailyAtNine(minNew: 1));
            ids.Add(userId);
        }

        for (var round = 0; round < rounds; round++)
        {
            Clock.SetUtcNow(start.AddDays(round).AddHours(1).AddSeconds(5));
            // Two workers' dispatchers: separate scopes, so separate DbContexts and connections, started together.
            using var gate = new ManualResetEventSlim();
            var both = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                gate.Wait();
                await using var scope = factory.Services.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
            })).ToArray();
            gate.Set();
            await Task.WhenAll(both);
        }

        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<HatchDbContext>();
        var digests = await db.Digests.AsNoTracking().Where(d => ids.Contains(d.UserId)).ToListAsync();
        foreach (var userId in ids)
        {
            var mine = digests.Where(d => d.UserId == userId).OrderBy(d => d.PeriodEnd).ToList();
            Assert.Equal(Enumerable.Range(0, rounds).Select(r => start.AddDays(r).AddHours(1)), mine.Select(d => d.PeriodEnd));
        }
        // Every digest was handed to a job (its own, or a fan-out job for 25 readers at once).
        Assert.All(digests, d => Assert.NotNull(d.JobId));
    }

    [Fact]
    public async Task AWaitingDigestWhoseJobIsGoneIsEnqueuedAgain()
    {
        var (userId, _) = await NewReaderAsync();
        var now = AdvanceToNextDay(TimeSpan.FromHours(12));
        Guid id;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var lost = StoredDigest.Plan(userId, new DigestPeriod(now.AddDays(-2), now.AddDays(-1)), catchUp: false, now.AddMinutes(-10));
            lost.JobId = "999999999";
            db.Digests.Add(lost);
            await db.SaveChangesAsync();
            id = lost.Id;
        }

        await DispatchAsync();

        var digest = Assert.Single(await DigestsOfAsync(userId), d => d.Id == id);
        Assert.NotNull(digest.JobId);
        Assert.NotEqual("999999999", digest.JobId);
    }

    [Fact]
    public async Task SendMeOneNowWritesADigestOfTheNewHighlightsWithoutMovingTheSchedule()
    {
        var (userId, _) = await NewReaderAsync();
        var enabledAt = AdvanceToNextDay(TimeSpan.FromHours(8));
        await SaveSettingsAsync(userId, DailyAtNine(minNew: 1));
        await AddHighlightsAsync(userId, 3, enabledAt.AddMinutes(5));
        var scheduled = (await SettingsRowAsync(userId)).NextRunAt;
        Clock.SetUtcNow(enabledAt.AddMinutes(30));

        StoredDigest now;
        await using (var scope = factory.Services.CreateAsyncScope())
            now = await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().PlanNowAsync(userId);
        await RunDigestJobAsync(now.Id);

        var written = Assert.Single(await DigestsOfAsync(userId));
        Assert.Equal((DigestStatus.Succeeded, 3), (written.Status, written.NewHighlights));
        Assert.Equal(scheduled, (await SettingsRowAsync(userId)).NextRunAt);

        // The 09:00 digest starts where this one ended: its highlights are not counted again.
        Clock.SetUtcNow(enabledAt.AddHours(1).AddSeconds(10));
        await DispatchAsync();
        var next = (await DigestsOfAsync(userId)).Single(d => d.Id != now.Id);
        Assert.Equal(enabledAt.AddMinutes(30), next.PeriodStart);
    }
}
