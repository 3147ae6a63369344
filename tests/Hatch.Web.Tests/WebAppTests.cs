using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

public sealed class PostgresWebAppTests(PostgresAppFactory factory) : WebAppTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteWebAppTests(SqliteAppFactory factory) : WebAppTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>The web app end to end, on each provider. Every test works with its own fresh user.</summary>
public abstract partial class WebAppTests(HatchAppFactory factory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static readonly string[] Passages = [.. PracticePassages.All.Take(6)];

    private static object[] Batch(string source = "Peak") =>
        Passages.Select((t, i) => (object)new { text = t, source = i % 2 == 0 ? source : "Deep Work", author = "A. Writer", tags = new[] { i < 3 ? "learning" : "work" } }).ToArray();

    private async Task<(HttpClient Client, string Email)> UserWithHighlightsAsync()
    {
        var user = await factory.NewUserAsync();
        (await user.Client.PostAsJsonAsync("/api/highlights", Batch())).EnsureSuccessStatusCode();
        return user;
    }

    private static async Task<HatchStatus> WaitForFinishAsync(HttpClient client, Guid id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = (await client.GetFromJsonAsync<HatchStatus>($"/api/hatches/{id}", Json))!;
            if (status.Status is "Succeeded" or "Failed") return status;
            Assert.True(DateTime.UtcNow < deadline, $"request {id} still {status.Status}/{status.Stage} after the timeout");
            await Task.Delay(100);
        }
    }

    public sealed record HatchStatus(Guid Id, string Status, string? Stage, Guid? DraftId, string? Error);
    public sealed record Accepted(Guid Id, string Status);
    public sealed record Report(string Format, int Imported, int Duplicates, List<Rejection> Rejected);
    public sealed record Rejection(int? Line, string Reason);
    public sealed record HighlightRow(Guid Id, string Text, string Source, List<string> Tags);
    public sealed record HighlightPage(List<HighlightRow> Items, int Total, int Page, int PageSize);

    [Fact]
    public async Task RegisteringAndLoggingInGivesATokenThatOpensTheApi()
    {
        var (client, _) = await factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/highlights")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/highlights")).StatusCode);
    }

    [Fact]
    public async Task AJsonBatchIsStoredOnceAndItsDuplicatesAndEmptyRecordsAreReported()
    {
        var (client, _) = await factory.NewUserAsync();
        var first = await (await client.PostAsJsonAsync("/api/highlights", Batch())).Content.ReadFromJsonAsync<Report>();
        Assert.Equal((Passages.Length, 0), (first!.Imported, first.Duplicates));

        object[] again = [.. Batch(), new { text = "  ", source = "Peak" }];
        var second = await (await client.PostAsJsonAsync("/api/highlights", again)).Content.ReadFromJsonAsync<Report>();
        Assert.Equal((0, Passages.Length), (second!.Imported, second.Duplicates));
        Assert.Equal(Passages.Length + 1, Assert.Single(second.Rejected).Line);

        var page = await client.GetFromJsonAsync<HighlightPage>("/api/highlights?tag=LEARNING&q=feedback");
        Assert.Equal("Deliberate practice means working at the edge of your ability with immediate feedback.", Assert.Single(page!.Items).Text);
        Assert.Equal(Passages.Length, (await client.GetFromJsonAsync<HighlightPage>("/api/highlights?pageSize=2"))!.Total);
    }

    [Fact]
    public async Task EverySampleFileImportsThroughTheApi()
    {
        var (client, _) = await factory.NewUserAsync();
        foreach (var file in Samples.Files)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) } };
            var response = await client.PostAsync("/api/highlights/import", form);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Path.GetFileName(file)}: {(int)response.StatusCode} {body}");
            var report = JsonSerializer.Deserialize<Report>(body, Json)!;
            Assert.True(report.Imported + report.Duplicates > 0, $"{Path.GetFileName(file)} imported nothing: {body}");
        }
    }

    /// <summary>A Japanese Kindle's file: a highlight with its note, a bookmark, an empty entry, a passage cut at the clipping limit, a note alone.</summary>
    private static string JapaneseClippings()
    {
        const string Title = "潮の本 (森 海)";
        static string Entry(string header, string text) => $"\uFEFF{Title}\r\n{header}\r\n\r\n{text}\r\n==========\r\n";
        return
            Entry("- 位置No. 140-142のハイライト |作成日: 2022年2月8日火曜日 19:02:33", "潮は急がない。")
            + Entry("- 位置No. 142のメモ |作成日: 2022年2月8日火曜日 19:25:00", "引き潮にも満ち潮にも。")
            + Entry("- 位置No. 300のブックマーク |作成日: 2022年2月8日火曜日 19:26:00", "")
            + Entry("- 位置No. 400-401のハイライト |作成日: 2022年2月8日火曜日 19:27:00", "")
            + Entry("- 位置No. 500-520のハイライト |作成日: 2022年2月8日火曜日 19:28:00", "港は海との取引だ。 <このアイテムのクリップの上限に達しました>")
            + Entry("- 位置No. 900のメモ |作成日: 2022年2月8日火曜日 19:29:00", "司書に地図のことを聞く。");
    }

    [Fact]
    public async Task AKindleFileFromAJapaneseDeviceReportsNotesBookmarksSkipsAndClippingLimitsAndKeepsTheFlags()
    {
        var file = JapaneseClippings();
        var (client, _) = await factory.NewUserAsync();

        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(file)), "file", "My Clippings.txt" } };
        var response = await client.PostAsync("/api/highlights/import", form);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var report = JsonDocument.Parse(body).RootElement;
        Assert.Equal("kindle", report.GetProperty("format").GetString());
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        Assert.Equal(2, report.GetProperty("notes").GetInt32());
        Assert.Equal(1, report.GetProperty("notesWithoutHighlight").GetInt32());
        Assert.Equal(1, report.GetProperty("bookmarks").GetInt32());
        Assert.Equal(1, report.GetProperty("truncatedByDevice").GetInt32());
        var skipped = Assert.Single(report.GetProperty("skipped").EnumerateArray());
        Assert.Equal(16, skipped.GetProperty("line").GetInt32());

        var rows = JsonDocument.Parse(await client.GetStringAsync("/api/highlights")).RootElement.GetProperty("items").EnumerateArray().ToList();
        var cut = Assert.Single(rows, r => r.GetProperty("truncatedByDevice").GetBoolean());
        Assert.Equal("港は海との取引だ。", cut.GetProperty("text").GetString());
        var first = Assert.Single(rows, r => r.GetProperty("text").GetString() == "潮は急がない。");
        Assert.Equal("引き潮にも満ち潮にも。", first.GetProperty("note").GetString());
        // The device's own clock, kept as read (19:02:33) and marked as such rather than passed off as UTC.
        Assert.True(first.GetProperty("highlightedAtIsLocal").GetBoolean());
        Assert.Equal(new DateTimeOffset(2022, 2, 8, 19, 2, 33, TimeSpan.Zero), first.GetProperty("highlightedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task HatchingAllHighlightsIsAcceptedAndEndsSucceededWithADraft()
    {
        var (client, _) = await UserWithHighlightsAsync();
        var response = await client.PostAsJsonAsync("/api/hatches", new { style = "briefing", length = "short" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<Accepted>())!;
        Assert.Equal("Queued", accepted.Status);
        Assert.Equal($"/api/hatches/{accepted.Id}", response.Headers.Location!.OriginalString);

        var done = await WaitForFinishAsync(client, accepted.Id);
        Assert.True(done.Status == "Succeeded", $"failed: {done.Error}");
        Assert.Null(done.Stage);
        Assert.NotNull(done.DraftId);

        using var draft = JsonDocument.Parse(await client.GetStringAsync($"/api/drafts/{done.DraftId}"));
        Assert.Equal(accepted.Id, draft.RootElement.GetProperty("requestId").GetGuid());
        Assert.False(string.IsNullOrWhiteSpace(draft.RootElement.GetProperty("article").GetProperty("title").GetString()));
        Assert.Contains(draft.RootElement.GetProperty("highlights").EnumerateArray(), h => h.GetProperty("cited").GetBoolean());

        var markdown = new HttpRequestMessage(HttpMethod.Get, $"/api/drafts/{done.DraftId}");
        markdown.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/markdown"));
        var md = await client.SendAsync(markdown);
        Assert.Equal("text/markdown", md.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("# ", await md.Content.ReadAsStringAsync());

        var list = await client.GetFromJsonAsync<JsonElement>("/api/drafts");
        Assert.Contains(list.EnumerateArray(), d => d.GetProperty("id").GetGuid() == done.DraftId);
    }

    [Fact]
    public async Task HatchingOneSourceOrOneTagUsesOnlyThoseHighlights()
    {
        var (client, _) = await UserWithHighlightsAsync();
        // "Deep Work" holds passages 1, 3 and 5 and "learning" tags 0, 1 and 2: the draft must hold exactly those,
        // not merely three of the six.
        foreach (var (body, expected) in new (object, string[])[]
                 {
                     (new { source = "Deep Work" }, [Passages[1], Passages[3], Passages[5]]),
                     (new { tag = "learning" }, [Passages[0], Passages[1], Passages[2]]),
                 })
        {
            var accepted = (await (await client.PostAsJsonAsync("/api/hatches", body)).Content.ReadFromJsonAsync<Accepted>())!;
            var done = await WaitForFinishAsync(client, accepted.Id);
            Assert.True(done.Status == "Succeeded", $"{JsonSerializer.Serialize(body)} failed: {done.Error}");
            using var draft = JsonDocument.Parse(await client.GetStringAsync($"/api/drafts/{done.DraftId}"));
            var texts = draft.RootElement.GetProperty("highlights").EnumerateArray()
                .Select(h => (h.TryGetProperty("text", out var text) ? text : h.GetProperty("highlight").GetProperty("text")).GetString())
                .Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), texts);
        }
        var nothing = await client.PostAsJsonAsync("/api/hatches", new { tag = "no-such-tag" });
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Equal("application/problem+json", nothing.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/hatches", new { style = "sonnet" })).StatusCode);
    }

    [Fact]
    public async Task ARequestWithNothingToWriteFromFailsWithAReadableReasonAndCanBeRetried()
    {
        var (client, email) = await UserWithHighlightsAsync();
        var userId = await factory.UserIdAsync(email);
        // Accepted, then its highlights vanish before the job runs: a permanent failure, not something to retry forever.
        var request = HatchRequest.Create(userId, new HatchSelection(Tag: "gone"), new HatchSettings(), DateTimeOffset.UtcNow);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            db.HatchRequests.Add(request);
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<HatchJob>().RunAsync(request.Id, CancellationToken.None);
        }
        var failed = await client.GetFromJsonAsync<HatchStatus>($"/api/hatches/{request.Id}", Json);
        Assert.Equal("Failed", failed!.Status);
        Assert.Equal("There are no highlights tagged \"gone\" to hatch from any more.", failed.Error);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/hatches/{request.Id}/retry", null)).StatusCode);
        Assert.Equal("Failed", (await WaitForFinishAsync(client, request.Id)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/hatches/{(await SucceededRequestAsync(client)).Id}/retry", null)).StatusCode);
    }

    private static async Task<HatchStatus> SucceededRequestAsync(HttpClient client)
    {
        var accepted = (await (await client.PostAsJsonAsync("/api/hatches", new { })).Content.ReadFromJsonAsync<Accepted>())!;
        var done = await WaitForFinishAsync(client, accepted.Id);
        Assert.Equal("Succeeded", done.Status);
        return done;
    }

    [Fact]
    public async Task TwoRunsOfTheJobForOneRequestLeaveExactlyOneDraft()
    {
        var (client, email) = await UserWithHighlightsAsync();
        var userId = await factory.UserIdAsync(email);
        // Stored but not enqueued, so only the runs below touch it.
        var request = HatchRequest.Create(userId, HatchSelection.All, new HatchSettings(), DateTimeOffset.UtcNow);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            db.HatchRequests.Add(request);
            await db.SaveChangesAsync();
        }

        async Task RunAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<HatchJob>().RunAsync(request.Id, CancellationToken.None);
        }
        await Task.WhenAll(RunAsync(), RunAsync());
        await RunAsync(); // and once more after both finished

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var drafts = await db.Drafts.Where(d => d.RequestId == request.Id).Select(d => d.Id).ToListAsync();
            var stored = await db.HatchRequests.AsNoTracking().SingleAsync(r => r.Id == request.Id);
            Assert.Single(drafts);
            Assert.Equal(RequestStatus.Succeeded, stored.Status);
            Assert.Equal(drafts[0], stored.DraftId);
        }
    }

    [Fact]
    public async Task AQueuedRequestWhoseJobIsGoneIsEnqueuedAgainByTheSweeperAndSucceeds()
    {
        var (client, email) = await UserWithHighlightsAsync();
        var userId = await factory.UserIdAsync(email);
        // As if the process died after storing the request (or lost its in-memory queue) five minutes ago.
        var orphan = HatchRequest.Create(userId, HatchSelection.All, new HatchSettings(), DateTimeOffset.UtcNow.AddMinutes(-5));
        var lostJob = HatchRequest.Create(userId, HatchSelection.All, new HatchSettings(), DateTimeOffset.UtcNow.AddMinutes(-5));
        lostJob.AssignJob("999999999", DateTimeOffset.UtcNow.AddMinutes(-5));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            db.HatchRequests.AddRange(orphan, lostJob);
            await db.SaveChangesAsync();
            Assert.True(await scope.ServiceProvider.GetRequiredService<HatchRequestSweeper>().SweepAsync(CancellationToken.None) >= 2);
        }
        Assert.Equal("Succeeded", (await WaitForFinishAsync(client, orphan.Id)).Status);
        Assert.Equal("Succeeded", (await WaitForFinishAsync(client, lostJob.Id)).Status);
    }

    [Fact]
    public async Task AnotherUsersHighlightsRequestsAndDraftsAnswer404()
    {
        var (owner, _) = await UserWithHighlightsAsync();
        var highlight = (await owner.GetFromJsonAsync<HighlightPage>("/api/highlights"))!.Items[0].Id;
        var done = await SucceededRequestAsync(owner);

        var (stranger, _) = await UserWithHighlightsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/highlights/{highlight}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/hatches/{done.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/drafts/{done.DraftId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/hatches/{done.Id}/retry", null)).StatusCode);
        var theirs = await stranger.PostAsJsonAsync("/api/hatches", new { highlightIds = new[] { highlight } });
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal("application/problem+json", theirs.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain((await stranger.GetFromJsonAsync<JsonElement>("/api/drafts")).EnumerateArray(), d => d.GetProperty("id").GetGuid() == done.DraftId);
        Assert.Equal(Passages.Length, (await stranger.GetFromJsonAsync<HighlightPage>("/api/highlights"))!.Total);
    }

    [Fact]
    public async Task FormPostsWithoutTheAntiforgeryTokenAreRejected()
    {
        var client = factory.CreateClient();
        var login = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = "someone@example.com", ["Form.Password"] = "whatever",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);

        // Signed in by cookie, a cross-site multipart post to the API is refused too.
        var (_, email) = await factory.NewUserAsync();
        var cookieClient = factory.CreateClient();
        (await cookieClient.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent { { new StringContent("whatever"), "file", "x.txt" } };
        var upload = await cookieClient.PostAsync("/api/highlights/import", form);
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("anti-forgery", await upload.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThePagesWorkWithTheirAntiforgeryTokens()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var anonymous = await client.GetAsync("/Highlights");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.PathAndQuery);

        var email = $"p{Guid.NewGuid():N}@example.com";
        var register = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email, ["Form.Password"] = HatchAppFactory.Password, ["Form.ConfirmPassword"] = HatchAppFactory.Password,
            ["__RequestVerificationToken"] = await TokenAsync(client, "/Account/Register"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);

        var token = await TokenAsync(client, "/Highlights");
        var upload = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(Batch())), "upload", "mine.json" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        var imported = await client.PostAsync("/Highlights?handler=Import", upload);
        var page = await imported.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.DoesNotContain("<script>alert", page);
        // A 200 alone would also be the page showing an error: the report says what was imported, and the list has it.
        Assert.Contains($"<strong>{Passages.Length}</strong> imported, <strong>0</strong> duplicates skipped, <strong>0</strong> rejected.", page);
        var list = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/Highlights"));
        Assert.All(Passages, passage => Assert.Contains(passage[..40], list));
    }

    [Fact]
    public async Task TheImportPageShowsNotesBookmarksCutShortPassagesAndTheNotesThatAnnotateNothing()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = $"p{Guid.NewGuid():N}@example.com";
        var register = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email, ["Form.Password"] = HatchAppFactory.Password, ["Form.ConfirmPassword"] = HatchAppFactory.Password,
            ["__RequestVerificationToken"] = await TokenAsync(client, "/Account/Register"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);

        var upload = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(JapaneseClippings())), "upload", "My Clippings.txt" },
            { new StringContent(await TokenAsync(client, "/Highlights")), "__RequestVerificationToken" },
        };
        // Razor encodes characters outside Basic Latin as entities; decoding gives what the reader sees.
        var page = System.Net.WebUtility.HtmlDecode(await (await client.PostAsync("/Highlights?handler=Import", upload)).Content.ReadAsStringAsync());

        Assert.Contains("<strong>2</strong> notes (1 without a highlight), <strong>1</strong> bookmark skipped, <strong>1</strong> cut short by the device, <strong>1</strong> entry not imported.", page);
        Assert.Contains("司書に地図のことを聞く。", page);
        Assert.Contains(">cut short by the device</span>", page);
        Assert.Contains("missing highlight text", page);

        // The note that annotates no highlight is kept on its book, once however often the file is imported.
        var again = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(JapaneseClippings())), "upload", "My Clippings.txt" },
            { new StringContent(await TokenAsync(client, "/Highlights")), "__RequestVerificationToken" },
        };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/Highlights?handler=Import", again)).StatusCode);
        using var notes = JsonDocument.Parse(await client.GetStringAsync("/api/notes"));
        Assert.Equal(1, notes.RootElement.GetProperty("total").GetInt32());
        var note = notes.RootElement.GetProperty("items")[0];
        Assert.Equal("司書に地図のことを聞く。", note.GetProperty("text").GetString());
        Assert.False(string.IsNullOrEmpty(note.GetProperty("source").GetString()));
        var library = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/Highlights"));
        Assert.Contains("1 note on your books", library);
        Assert.Contains("司書に地図のことを聞く。", library);
        using var highlights = JsonDocument.Parse(await client.GetStringAsync("/api/highlights"));
        Assert.DoesNotContain(highlights.RootElement.GetProperty("items").EnumerateArray(), h => h.GetProperty("text").GetString() == "司書に地図のことを聞く。");
    }

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return AntiforgeryForm.Token(html);
    }

    [Fact]
    public async Task UploadsThatAreUnreadableMissingOrTooLargeAreProblemDetails()
    {
        var (client, _) = await factory.NewUserAsync();

        using var unknown = new MultipartFormDataContent { { new StringContent("just some words\nthat are not an export\n"), "file", "notes.bin" } };
        var unreadable = await client.PostAsync("/api/highlights/import", unknown);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.Equal("application/problem+json", unreadable.Content.Headers.ContentType!.MediaType);

        using var missing = new MultipartFormDataContent { { new StringContent("x"), "other", "x.txt" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/highlights/import", missing)).StatusCode);

        using var large = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(new string('a', (int)HatchAppFactory.MaxUploadBytes * 3))), "file", "big.txt" } };
        var tooLarge = await client.PostAsync("/api/highlights/import", large);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("too large", await tooLarge.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthChecksTheDatabaseAndTheJobStorage()
    {
        var health = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheOpenApiDocumentListsTheRoutes()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var route in new[] { "/api/auth/register", "/api/auth/login", "/api/highlights", "/api/highlights/import", "/api/hatches", "/api/hatches/{id}", "/api/drafts", "/api/drafts/{id}", "/api/drafts/{id}/download", "/api/connections", "/api/connections/{id}", "/api/connections/{id}/sync", "/api/export/library.zip" })
            Assert.Contains(route, paths);
    }

    [Fact]
    public async Task TheJobsDashboardIsForAdministratorsOnly()
    {
        // A signed-out browser is sent to sign in; a signed-in non-admin is refused.
        var anonymous = await factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.PathAndQuery);
        var (user, _) = await factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/hangfire")).StatusCode);

        var (_, email) = await factory.NewUserAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
            var admin = (await users.FindByEmailAsync(email))!;
            (await users.AddToRoleAsync(admin, HatchUser.Roles.Admin)).Succeeded.ToString();
        }
        var cookieClient = factory.CreateClient();
        (await cookieClient.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await cookieClient.GetAsync("/hangfire")).StatusCode);
    }
}
