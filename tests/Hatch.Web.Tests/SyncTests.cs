using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hatch.Data;
using Hatch.Domain.Connections;
using Hatch.Features.Sync;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>
/// The app with fake Readwise and Hypothesis servers on 127.0.0.1 behind <c>Hatch:Sync:*:BaseUrl</c>, short retry
/// back-offs, every log entry captured, and no Hangfire worker: the tests run the sync job themselves.
/// </summary>
public abstract class SyncAppFactory : HatchAppFactory
{
    // The fakes must listen before the app reads their addresses; a fixture constructor cannot await.
    public FakeReadwiseServer Readwise { get; } = FakeReadwiseServer.StartNewAsync().GetAwaiter().GetResult();
    public FakeHypothesisServer Hypothesis { get; } = FakeHypothesisServer.StartNewAsync().GetAwaiter().GetResult();
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Jobs:RunWorker", "false");
        builder.UseSetting("Hatch:Sync:Readwise:BaseUrl", Readwise.BaseUri.ToString());
        builder.UseSetting("Hatch:Sync:Hypothesis:BaseUrl", Hypothesis.BaseUri.ToString());
        builder.UseSetting("Hatch:Sync:Hypothesis:PageSize", "4");
        builder.UseSetting("Hatch:Sync:RetryBaseDelay", "00:00:00.010");
        builder.UseSetting("Hatch:Sync:MaxAttempts", "3");
        // Everything an operator could turn on, so a token in any log line would be found.
        builder.UseSetting("Logging:LogLevel:Default", "Information");
        builder.UseSetting("Logging:LogLevel:System.Net.Http", "Trace");
        builder.UseSetting("Logging:LogLevel:Hatch", "Debug");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>Runs one sync of the connection in a scope of its own, as a Hangfire worker would.</summary>
    public async Task<SyncOutcome?> SyncAsync(Guid connectionId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SyncJob>().SyncAsync(connectionId);
    }

    public async Task<T> WithDbAsync<T>(Func<HatchDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HatchDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Readwise.DisposeAsync();
        await Hypothesis.DisposeAsync();
    }
}

public sealed class PostgresSyncAppFactory : SyncAppFactory
{
    protected override string ConnectionString => OwnedPostgresDatabase;
}

public sealed class SqliteSyncAppFactory : SyncAppFactory
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-sync-").FullName;

    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "hatch.db")}";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class PostgresSyncTests(PostgresSyncAppFactory factory) : SyncTests(factory), IClassFixture<PostgresSyncAppFactory>;

public sealed class SqliteSyncTests(SqliteSyncAppFactory factory) : SyncTests(factory), IClassFixture<SqliteSyncAppFactory>;

/// <summary>
/// Readwise and Hypothesis connections against servers speaking their documented APIs. Each test uses its own reader
/// and its own books, so the shared fakes hold other tests' data too: a test only counts what it added.
/// </summary>
public abstract class SyncTests(SyncAppFactory factory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private FakeReadwiseServer Readwise => factory.Readwise;
    private FakeHypothesisServer Hypothesis => factory.Hypothesis;

    private sealed record ConnectionView(Guid Id, string Service, string? Username, ConnectionStatus Status, DateTimeOffset? LastSyncedAt, int Imported, string? Error, string TokenHint);

    /// <summary>A fresh reader with a Readwise connection to a fresh fake account (its own token and books).</summary>
    private async Task<(HttpClient Client, string UserId, Guid ConnectionId)> ReadwiseReaderAsync()
    {
        var (client, email) = await factory.NewUserAsync();
        var response = await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = Readwise.Token });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var connection = (await response.Content.ReadFromJsonAsync<ConnectionView>(Json))!;
        return (client, await factory.UserIdAsync(email), connection.Id);
    }

    private Task<int> HighlightCountAsync(string userId) => factory.WithDbAsync(db => db.HighlightsOf(userId).CountAsync());

    private async Task<ConnectionView> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<ConnectionView>($"/api/connections/{id}", Json))!;

    /// <summary>
    /// The fake serves one account; a test that needs the export to hold only its own highlights filters by book.
    /// Here every test adds books with unique titles and counts its reader's highlights by those titles.
    /// </summary>
    private Task<List<string>> TextsAsync(string userId, string bookTitle) =>
        factory.WithDbAsync(db => db.HighlightsOf(userId).Where(h => h.SourceTitle == bookTitle).OrderBy(h => h.Text).Select(h => h.Text).ToListAsync());

    [Fact]
    public async Task ARejectedTokenIsA400NamingTokenAndAGoodOneIsStoredWithoutEverBeingShown()
    {
        var (client, _) = await factory.NewUserAsync();
        var rejected = await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = "not-the-token-0000" });
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        var problem = JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!;
        Assert.Contains("rejected", problem["errors"]!["token"]![0]!.GetValue<string>());

        var unknown = await client.PostAsJsonAsync("/api/connections", new { service = "pocket", token = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull(JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["errors"]!["service"]);

        var created = await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = Readwise.Token });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Readwise.Token, body);
        var connection = JsonSerializer.Deserialize<ConnectionView>(body, Json)!;
        Assert.Equal(Readwise.Token[^4..], connection.TokenHint);
        Assert.Equal(ConnectionStatus.Idle, connection.Status);
        Assert.Equal($"/api/connections/{connection.Id}", created.Headers.Location!.OriginalString);

        var list = await client.GetStringAsync("/api/connections");
        Assert.DoesNotContain(Readwise.Token, list);
        Assert.Contains(connection.Id.ToString(), list);
        var stored = await factory.WithDbAsync(db => db.Connections.AsNoTracking().FirstAsync(c => c.Id == connection.Id));
        Assert.DoesNotContain(Readwise.Token, stored.ProtectedToken);

        // Another reader cannot see or remove it.
        var (other, _) = await factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/connections/{connection.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/connections/{connection.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/connections/{connection.Id}/sync", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/connections/{connection.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/connections/{connection.Id}")).StatusCode);
    }

    [Fact]
    public async Task TheFirstSyncImportsEveryPageAndTheSecondOnlyWhatIsNewOrChanged()
    {
        var (client, userId, connectionId) = await ReadwiseReaderAsync();
        var before = await HighlightCountAsync(userId);
        var book = Readwise.AddBook($"Deep Work {Guid.NewGuid():N}", "Cal Newport", "https://example.com/deep-work", "productivity");
        var highlights = Enumerable.Range(1, 12).Select(i => Readwise.AddHighlight(book, $"Passage number {i} about focus and attention.")).ToList();
        Readwise.Edit(highlights[0], h => { h.IsFavorite = true; h.Note = "key idea"; h.Tags = ["focus"]; });
        Readwise.Edit(highlights[1], h => h.IsDiscard = true);
        Readwise.Edit(highlights[2], h => { h.LocationType = "page"; h.Location = 42; });
        Readwise.PageSize = 5;
        Readwise.ClearRequests();
        try
        {
            var first = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, first!.Status);
            var exports = Readwise.Requests.Where(r => r.Path == "/api/v2/export/").ToList();
            Assert.True(exports.Count >= 3, $"expected several pages, got {exports.Count}");
            Assert.True(exports.Skip(1).All(r => r["pageCursor"] is not null), "every page after the first carries the cursor");

            var texts = await TextsAsync(userId, book.Title);
            Assert.Equal(11, texts.Count); // the discarded one is skipped
            Assert.DoesNotContain(highlights[1].Text, texts);
            var favorite = await factory.WithDbAsync(db => db.HighlightsOf(userId).AsNoTracking().FirstAsync(h => h.Text == highlights[0].Text));
            Assert.Contains("favorite", favorite.TagList);
            Assert.Contains("focus", favorite.TagList);
            Assert.Contains("productivity", favorite.TagList);
            Assert.Equal("key idea", favorite.Note);
            Assert.Equal("https://example.com/deep-work", favorite.SourceUrl);
            Assert.Equal("Cal Newport", favorite.SourceAuthor);
            Assert.NotNull(favorite.HighlightedAt);
            var paged = await factory.WithDbAsync(db => db.HighlightsOf(userId).AsNoTracking().FirstAsync(h => h.Text == highlights[2].Text));
            Assert.Equal("42", paged.Page);

            var afterFirst = await GetAsync(client, connectionId);
            Assert.Equal(ConnectionStatus.Idle, afterFirst.Status);
            Assert.NotNull(afterFirst.LastSyncedAt);
            var importedFirst = afterFirst.Imported;
            Assert.True(importedFirst >= 11);

            // Upstream: two new highlights and one edited.
            await Task.Delay(20);
            Readwise.AddHighlight(book, "A new passage written after the first sync.");
            Readwise.AddHighlight(book, "Another new passage written after the first sync.");
            Readwise.Edit(highlights[3], h => { h.Text = "Passage number 4, corrected in Readwise."; h.Note = "fixed a typo"; });
            Readwise.ClearRequests();

            var second = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, second!.Status);
            Assert.Equal(2, second.Imported);
            Assert.Equal(1, second.Updated);
            var asked = Readwise.Requests.First(r => r.Path == "/api/v2/export/");
            Assert.NotNull(asked["updatedAfter"]);

            texts = await TextsAsync(userId, book.Title);
            Assert.Equal(13, texts.Count);
            Assert.Contains("Passage number 4, corrected in Readwise.", texts);
            Assert.DoesNotContain("Passage number 4 about focus and attention.", texts);
            Assert.Equal(importedFirst + 2, (await GetAsync(client, connectionId)).Imported);

            // A third run with nothing new changes nothing.
            var third = await factory.SyncAsync(connectionId);
            Assert.Equal(0, third!.Imported);
            Assert.Equal(13, (await TextsAsync(userId, book.Title)).Count);
        }
        finally
        {
            Readwise.PageSize = 1000;
        }
    }

    [Fact]
    public async Task ASyncThatFailsHalfWayResumesFromItsCursorWithoutDuplicates()
    {
        var (client, userId, connectionId) = await ReadwiseReaderAsync();
        // Everything this fake account already holds (other tests' books) comes first; then this test's book.
        var book = Readwise.AddBook($"Resumable {Guid.NewGuid():N}");
        for (var i = 1; i <= 9; i++) Readwise.AddHighlight(book, $"Resumable passage {i}.");
        var total = Readwise.HighlightCount;
        Readwise.PageSize = Math.Max(3, (total + 2) / 3);
        string? failingCursor = null;
        try
        {
            // The second page always answers 500: the job retries it, then fails with the reason and keeps its cursor.
            Readwise.Fault = r => r.Path == "/api/v2/export/" && r["pageCursor"] is { } c && (failingCursor ??= c) == c ? new FakeFault(500) : null;
            Readwise.ClearRequests();
            var failed = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Failed, failed!.Status);
            Assert.Contains("500", failed.Error);
            var view = await GetAsync(client, connectionId);
            Assert.Equal(ConnectionStatus.Failed, view.Status);
            Assert.Contains("500", view.Error);
            Assert.Equal(3, Readwise.Requests.Count(r => r["pageCursor"] == failingCursor)); // MaxAttempts
            var afterFailure = await HighlightCountAsync(userId);
            Assert.True(afterFailure > 0, "the first page was stored before the failure");
            Assert.Equal(failingCursor, await factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).Select(c => c.Cursor).FirstAsync()));

            // The service recovers; the job is run again and starts at the stored cursor, not at the beginning.
            Readwise.Fault = null;
            Readwise.ClearRequests();
            var resumed = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, resumed!.Status);
            Assert.Equal(failingCursor, Readwise.Requests.First(r => r.Path == "/api/v2/export/")["pageCursor"]);
            Assert.Equal(9, (await TextsAsync(userId, book.Title)).Count);
            var all = await factory.WithDbAsync(db => db.HighlightsOf(userId).Select(h => h.ContentHash).ToListAsync());
            Assert.Equal(all.Count, all.Distinct().Count());
            Assert.Equal(all.Count, (await GetAsync(client, connectionId)).Imported);
            Assert.Null((await GetAsync(client, connectionId)).Error);
        }
        finally
        {
            Readwise.Fault = null;
            Readwise.PageSize = 1000;
        }
    }

    [Fact]
    public async Task ADroppedConnectionShowsAPlainReasonAndAnErrorIdThatTheLogHasWithTheNetworksWords()
    {
        var (client, _, connectionId) = await ReadwiseReaderAsync();
        try
        {
            Readwise.Fault = r => r.Path == "/api/v2/export/" ? new FakeFault(0, DropConnection: true) : null;
            var failed = await factory.SyncAsync(connectionId);

            Assert.Equal(ConnectionStatus.Failed, failed!.Status);
            var shown = (await GetAsync(client, connectionId)).Error!;
            var page = await client.GetStringAsync("/Connections");
            foreach (var text in new[] { shown, page })
            {
                Assert.Contains("Readwise could not be reached", text);
                Assert.DoesNotContain("error occurred while sending", text); // HttpClient's words, with the address when it has one
                Assert.DoesNotContain(Readwise.BaseUri.Authority, text);
            }
            var errorId = System.Text.RegularExpressions.Regex.Match(shown, "error id ([0-9a-f]{32})").Groups[1].Value;
            Assert.True(errorId.Length == 32, $"no error id in: {shown}");
            Assert.Contains(errorId, page);
            Assert.Contains(factory.Logs.Entries, e => e.ToString().Contains(errorId) && e.ToString().Contains("error occurred while sending"));
        }
        finally
        {
            Readwise.Fault = null;
        }
    }

    [Fact]
    public async Task AHighlightDeletedInReadwiseIsRemovedAtTheNextSync()
    {
        var (_, userId, connectionId) = await ReadwiseReaderAsync();
        var book = Readwise.AddBook($"Deleted later {Guid.NewGuid():N}");
        var kept = Readwise.AddHighlight(book, "A passage that stays.");
        var gone = Readwise.AddHighlight(book, "A passage the reader deletes in Readwise.");
        var cited = Readwise.AddHighlight(book, "A passage deleted in Readwise that a draft cites.");
        await factory.SyncAsync(connectionId);
        Assert.Equal(3, (await TextsAsync(userId, book.Title)).Count);

        // A draft cites the third one.
        var editor = await factory.UserAsync(Hatch.Data.HatchUser.Roles.Editor);
        var draftId = await factory.DraftAsync(userId, Hatch.Domain.Drafts.DraftStatus.Draft, editor.Id);
        await factory.WithDbAsync(async db =>
        {
            var citedId = await db.HighlightsOf(userId).Where(h => h.Text == cited.Text).Select(h => h.Id).FirstAsync();
            db.DraftHighlights.Add(new Hatch.Domain.Drafts.DraftHighlight { DraftId = draftId, Number = 99, HighlightId = citedId });
            return await db.SaveChangesAsync();
        });

        await Task.Delay(20);
        Readwise.Edit(gone, h => h.IsDeleted = true);
        Readwise.Edit(cited, h => h.IsDeleted = true);
        var outcome = await factory.SyncAsync(connectionId);
        Assert.Equal(1, outcome!.Removed);
        Assert.Equal([cited.Text, kept.Text], await TextsAsync(userId, book.Title));
        var marks = await factory.WithDbAsync(db => db.HighlightsOf(userId).Where(h => h.SourceTitle == book.Title)
            .ToDictionaryAsync(h => h.Text, h => h.DeletedUpstreamAt));
        Assert.NotNull(marks[cited.Text]);
        Assert.Null(marks[kept.Text]);
    }

    [Fact]
    public async Task AnUpstreamHighlightOverAFieldLimitIsSkippedAndCountedNotStored()
    {
        var (_, userId, connectionId) = await ReadwiseReaderAsync();
        var book = Readwise.AddBook($"Field limits {Guid.NewGuid():N}");
        var fine = Readwise.AddHighlight(book, "A passage with a few tags.", h => h.Tags = ["practice"]);
        Readwise.AddHighlight(book, "A passage tagged without end.", h => h.Tags = Enumerable.Range(1, 80).Select(i => $"tag{i}").ToArray());

        var outcome = await factory.SyncAsync(connectionId);

        Assert.Equal(1, outcome!.Skipped);
        Assert.Equal([fine.Text], await TextsAsync(userId, book.Title));
    }

    [Fact]
    public async Task ARateLimitedPageIsAskedAgainAfterItsRetryAfter()
    {
        var (_, userId, connectionId) = await ReadwiseReaderAsync();
        var book = Readwise.AddBook($"Rate limited {Guid.NewGuid():N}");
        Readwise.AddHighlight(book, "A passage behind a rate limit.");
        var limited = 0;
        try
        {
            Readwise.Fault = r => r.Path == "/api/v2/export/" && Interlocked.Increment(ref limited) == 1 ? new FakeFault(429, RetryAfterSeconds: 1) : null;
            Readwise.ClearRequests();
            var outcome = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, outcome!.Status);
            var exports = Readwise.Requests.Where(r => r.Path == "/api/v2/export/").ToList();
            Assert.True(exports.Count >= 2);
            Assert.True(exports[1].ReceivedAt - exports[0].ReceivedAt >= TimeSpan.FromSeconds(0.9), "the retry waited for Retry-After");
            Assert.Single(await TextsAsync(userId, book.Title));
        }
        finally
        {
            Readwise.Fault = null;
        }
    }

    [Fact]
    public async Task ARevokedTokenStopsTheSyncsWithAReadableReasonUntilANewOneIsGiven()
    {
        var (client, _, connectionId) = await ReadwiseReaderAsync();
        var oldToken = Readwise.Token;
        Readwise.Token = "tok_" + Guid.NewGuid().ToString("N");
        try
        {
            var outcome = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.NeedsToken, outcome!.Status);
            var view = await GetAsync(client, connectionId);
            Assert.Equal(ConnectionStatus.NeedsToken, view.Status);
            Assert.Contains("rejected the token", view.Error);

            // No sync runs until the reader fixes it: not on request, not from the dispatcher, not from a stray job.
            Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/connections/{connectionId}/sync", null)).StatusCode);
            Readwise.ClearRequests();
            Assert.Null(await factory.SyncAsync(connectionId));
            Assert.Empty(Readwise.Requests);
            await using (var scope = factory.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<SyncDispatcher>().DispatchAsync();
            Assert.Equal(ConnectionStatus.NeedsToken, (await GetAsync(client, connectionId)).Status);

            // A new token on the same service replaces the old one and syncs again.
            var replaced = await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = Readwise.Token });
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            Assert.Equal(connectionId, (await replaced.Content.ReadFromJsonAsync<ConnectionView>(Json))!.Id);
            Assert.Equal(ConnectionStatus.Idle, (await factory.SyncAsync(connectionId))!.Status);
        }
        finally
        {
            Readwise.Token = oldToken;
        }
    }

    [Fact]
    public async Task OnlyOneSyncOfAConnectionRunsAtATime()
    {
        var (_, _, connectionId) = await ReadwiseReaderAsync();
        Readwise.Latency = TimeSpan.FromMilliseconds(300);
        try
        {
            var outcomes = await Task.WhenAll(factory.SyncAsync(connectionId), factory.SyncAsync(connectionId), factory.SyncAsync(connectionId));
            Assert.Single(outcomes, o => o is not null);
        }
        finally
        {
            Readwise.Latency = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task TheDispatcherEnqueuesOnlyDueConnectionsOncePerInterval()
    {
        var (_, _, connectionId) = await ReadwiseReaderAsync();
        await factory.SyncAsync(connectionId);
        await using var scope = factory.Services.CreateAsyncScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<SyncDispatcher>();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var next = await db.Connections.Where(c => c.Id == connectionId).Select(c => c.NextSyncAt).FirstAsync();
        Assert.True(next > DateTimeOffset.UtcNow.AddMinutes(50), "a synced connection is due again an interval later");
        await db.Connections.Where(c => c.Id == connectionId).ExecuteUpdateAsync(s => s.SetProperty(c => c.NextSyncAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        Assert.True(await dispatcher.DispatchAsync() >= 1);
        var moved = await db.Connections.AsNoTracking().Where(c => c.Id == connectionId).Select(c => c.NextSyncAt).FirstAsync();
        Assert.True(moved > DateTimeOffset.UtcNow.AddMinutes(50));
    }

    [Fact]
    public async Task HypothesisSyncPagesWithSearchAfterKeepsPageNotesSkipsRepliesAndThenAsksOnlyForNewer()
    {
        var (client, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        Hypothesis.Username = "reader" + Guid.NewGuid().ToString("N")[..8];
        var uri = $"https://example.com/essay/{Guid.NewGuid():N}";
        const string title = "An essay on attention";
        for (var i = 1; i <= 9; i++) Hypothesis.Add($"Quoted sentence {i} from the essay.", uri, title, text: i == 1 ? "my note" : "", configure: a => a.Tags = i == 1 ? ["essay"] : []);
        var root = Hypothesis.Add("A quote somebody replied to.", uri, title);
        Hypothesis.Add(null, uri, title, text: "A reply, not mine to keep.", configure: a => a.References = [root.Id]);
        Hypothesis.Add(null, uri, title, text: "A page note about the whole essay.");

        var wrongUser = await client.PostAsJsonAsync("/api/connections", new { service = "hypothesis", token = Hypothesis.Token, username = "somebody-else" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongUser.StatusCode);
        Assert.NotNull(JsonNode.Parse(await wrongUser.Content.ReadAsStringAsync())!["errors"]!["username"]);
        var badToken = await client.PostAsJsonAsync("/api/connections", new { service = "hypothesis", token = "nope-nope-nope", username = Hypothesis.Username });
        Assert.NotNull(JsonNode.Parse(await badToken.Content.ReadAsStringAsync())!["errors"]!["token"]);

        var created = await client.PostAsJsonAsync("/api/connections", new { service = "hypothesis", token = Hypothesis.Token, username = Hypothesis.Username });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(Hypothesis.Token, await created.Content.ReadAsStringAsync());
        var connectionId = (await created.Content.ReadFromJsonAsync<ConnectionView>(Json))!.Id;

        Hypothesis.ClearRequests();
        var first = await factory.SyncAsync(connectionId);
        Assert.Equal(ConnectionStatus.Idle, first!.Status);
        var searches = Hypothesis.Requests.Where(r => r.Path == "/api/search").ToList();
        Assert.True(searches.Count >= 3, "12 annotations in pages of 4");
        Assert.All(searches, r => Assert.Equal(("updated", "asc", $"acct:{Hypothesis.Username}@hypothes.is"), (r["sort"], r["order"], r["user"])));
        Assert.Null(searches[0]["search_after"]);
        Assert.All(searches.Skip(1), r => Assert.NotNull(r["search_after"]));
        Assert.Equal(10, first.Imported);
        Assert.Equal(1, first.Skipped); // the reply
        var noted = await factory.WithDbAsync(db => db.HighlightsOf(userId).AsNoTracking().FirstAsync(h => h.Text == "Quoted sentence 1 from the essay."));
        Assert.Equal("my note", noted.Note);
        Assert.Contains("essay", noted.TagList);
        Assert.Equal(uri, noted.SourceUrl);
        Assert.Equal(title, noted.SourceTitle);
        var notes = await factory.WithDbAsync(db => db.SourceNotesOf(userId).Select(n => n.Text).ToListAsync());
        Assert.Equal(["A page note about the whole essay."], notes);

        // One new annotation and one edited: the next sync starts after the last updated it saw.
        var lastSeen = searches[^1]["search_after"];
        Hypothesis.Add("A sentence highlighted later.", uri, title);
        Hypothesis.Edit(root, a => a.Text = "a note added later");
        Hypothesis.ClearRequests();
        var second = await factory.SyncAsync(connectionId);
        Assert.Equal(1, second!.Imported);
        Assert.Equal(1, second.Updated);
        Assert.NotNull(Hypothesis.Requests.First(r => r.Path == "/api/search")["search_after"]);
        Assert.Equal(11, await HighlightCountAsync(userId));
        Assert.Equal("a note added later", await factory.WithDbAsync(db => db.HighlightsOf(userId).Where(h => h.Text == root.Quote).Select(h => h.Note).FirstAsync()));
        Assert.Equal(11, (await GetAsync(client, connectionId)).Imported);
        _ = lastSeen;
    }

    /// <summary>A fresh reader with a Hypothesis connection to a fresh account on the fake (its own username).</summary>
    private async Task<(HttpClient Client, string UserId, Guid ConnectionId)> HypothesisReaderAsync()
    {
        var (client, email) = await factory.NewUserAsync();
        Hypothesis.Username = "reader" + Guid.NewGuid().ToString("N")[..8];
        var created = await client.PostAsJsonAsync("/api/connections", new { service = "hypothesis", token = Hypothesis.Token, username = Hypothesis.Username });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connectionId = (await created.Content.ReadFromJsonAsync<ConnectionView>(Json))!.Id;
        return (client, await factory.UserIdAsync(email), connectionId);
    }

    [Fact]
    public async Task AHypothesisAccountOfAnotherAuthorityIsSearchedUnderTheDomainItsProfileNames()
    {
        try
        {
            Hypothesis.Authority = "annotations.example.org";
            var (_, userId, connectionId) = await HypothesisReaderAsync();
            Assert.Equal("annotations.example.org", await factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).Select(c => c.Authority).FirstAsync()));
            var uri = $"https://example.org/paper/{Guid.NewGuid():N}";
            Hypothesis.Add("A sentence annotated on a self-hosted authority.", uri, "A paper");
            Hypothesis.ClearRequests();

            var outcome = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, outcome!.Status);
            Assert.Equal(1, outcome.Imported);
            var searches = Hypothesis.Requests.Where(r => r.Path == "/api/search").ToList();
            Assert.NotEmpty(searches);
            Assert.All(searches, r => Assert.Equal($"acct:{Hypothesis.Username}@annotations.example.org", r["user"]));
            Assert.Equal(1, await HighlightCountAsync(userId));
        }
        finally
        {
            Hypothesis.Authority = "hypothes.is";
        }
    }

    [Fact]
    public async Task AHypothesisPageNoteEditedUpstreamReplacesTheStoredNoteInsteadOfAddingOne()
    {
        var (_, userId, connectionId) = await HypothesisReaderAsync();
        var uri = $"https://example.com/notes/{Guid.NewGuid():N}";
        var note = Hypothesis.Add(null, uri, "A page with a note", text: "A first thought about the page.");
        var other = Hypothesis.Add(null, uri, "A page with a note", text: "Another thought, left alone.");
        await factory.SyncAsync(connectionId);
        Task<List<string>> NotesAsync() => factory.WithDbAsync(db => db.SourceNotesOf(userId).OrderBy(n => n.Text).Select(n => n.Text).ToListAsync());
        Assert.Equal(["A first thought about the page.", "Another thought, left alone."], await NotesAsync());

        Hypothesis.Edit(note, a => a.Text = "A better thought about the page.");
        var outcome = await factory.SyncAsync(connectionId);
        Assert.Equal(ConnectionStatus.Idle, outcome!.Status);
        Assert.Equal(1, outcome.Updated);
        Assert.Equal(["A better thought about the page.", "Another thought, left alone."], await NotesAsync());

        // Edited to say what the other note says: the library keeps that text once, and both ids map to it.
        Hypothesis.Edit(note, a => a.Text = other.Text);
        await factory.SyncAsync(connectionId);
        Assert.Equal(["Another thought, left alone."], await NotesAsync());
        Assert.Equal(2, await factory.WithDbAsync(db => db.SyncedNotes.CountAsync(m => m.ConnectionId == connectionId)));

        // A sync that reads the same annotations again changes nothing.
        await factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Watermark, (string?)null)));
        var again = await factory.SyncAsync(connectionId);
        Assert.Equal(0, again!.Updated);
        Assert.Equal(["Another thought, left alone."], await NotesAsync());
    }

    /// <summary>Makes the connection's deletion reconciliation due, as if the last one were two days ago.</summary>
    private Task<int> ReconcileDueAsync(Guid connectionId)
    {
        var longAgo = DateTimeOffset.UtcNow.AddDays(-2);
        return factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReconciledAt, longAgo)));
    }

    private Task<DateTimeOffset?> ReconciledAtAsync(Guid connectionId) =>
        factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).Select(c => c.ReconciledAt).FirstAsync());

    [Fact]
    public async Task AnAnnotationDeletedInHypothesisIsRemovedByTheReconcilingSyncUnlessADraftCitesIt()
    {
        var (_, userId, connectionId) = await HypothesisReaderAsync();
        var uri = $"https://example.com/deleted/{Guid.NewGuid():N}";
        const string title = "An essay later pruned";
        var annotations = Enumerable.Range(1, 9).Select(i => Hypothesis.Add($"Pruned essay sentence {i}.", uri, title)).ToList();
        var pageNote = Hypothesis.Add(null, uri, title, text: "A page note deleted later.");
        await factory.SyncAsync(connectionId);
        Assert.Equal(9, (await TextsAsync(userId, title)).Count);
        Assert.Equal(1, await factory.WithDbAsync(db => db.SourceNotesOf(userId).CountAsync()));

        var gone = annotations[2];
        var cited = annotations[5];
        var editor = await factory.UserAsync(Hatch.Data.HatchUser.Roles.Editor);
        var draftId = await factory.DraftAsync(userId, Hatch.Domain.Drafts.DraftStatus.Draft, editor.Id);
        await factory.WithDbAsync(async db =>
        {
            var citedId = await db.HighlightsOf(userId).Where(h => h.Text == cited.Quote).Select(h => h.Id).FirstAsync();
            db.DraftHighlights.Add(new Hatch.Domain.Drafts.DraftHighlight { DraftId = draftId, Number = 99, HighlightId = citedId });
            return await db.SaveChangesAsync();
        });
        Hypothesis.Delete(gone);
        Hypothesis.Delete(cited);
        Hypothesis.Delete(pageNote);

        // Not due yet (a day after the connection was made): the search alone cannot see deletions.
        Hypothesis.ClearRequests();
        var notDue = await factory.SyncAsync(connectionId);
        Assert.Equal(0, notDue!.Removed);
        Assert.Single(Hypothesis.Requests, r => r.Path == "/api/search");
        Assert.Equal(9, (await TextsAsync(userId, title)).Count);
        Assert.Null(await ReconciledAtAsync(connectionId));

        await ReconcileDueAsync(connectionId);
        Hypothesis.ClearRequests();
        var reconciled = await factory.SyncAsync(connectionId);
        Assert.Equal(ConnectionStatus.Idle, reconciled!.Status);
        Assert.Equal(2, reconciled.Removed); // the highlight and the page note; the cited one is kept
        var listing = Hypothesis.Requests.Where(r => r.Path == "/api/search").Skip(1).ToList();
        Assert.True(listing.Count >= 2, "8 annotations listed in pages of 4");
        Assert.Null(listing[0]["search_after"]);
        Assert.All(listing, r => Assert.Equal(($"acct:{Hypothesis.Username}@hypothes.is", "updated", "asc"), (r["user"], r["sort"], r["order"])));
        var texts = await TextsAsync(userId, title);
        Assert.Equal(8, texts.Count);
        Assert.DoesNotContain(gone.Quote, texts);
        Assert.Contains(cited.Quote, texts);
        var citedRow = await factory.WithDbAsync(db => db.HighlightsOf(userId).AsNoTracking().FirstAsync(h => h.Text == cited.Quote));
        Assert.NotNull(citedRow.DeletedUpstreamAt);
        Assert.Equal(0, await factory.WithDbAsync(db => db.HighlightsOf(userId).CountAsync(h => h.SourceTitle == title && h.Text != cited.Quote && h.DeletedUpstreamAt != null)));
        Assert.Equal(0, await factory.WithDbAsync(db => db.SourceNotesOf(userId).CountAsync()));
        Assert.True(await ReconciledAtAsync(connectionId) > DateTimeOffset.UtcNow.AddMinutes(-5));

        // Just reconciled: the next sync only searches for what changed.
        Hypothesis.ClearRequests();
        await factory.SyncAsync(connectionId);
        Assert.Single(Hypothesis.Requests, r => r.Path == "/api/search");
    }

    [Fact]
    public async Task AReconcilingListingThatFailsHalfWayRemovesNothingAndTheNextSyncFinishesIt()
    {
        var (client, userId, connectionId) = await HypothesisReaderAsync();
        var uri = $"https://example.com/halfway/{Guid.NewGuid():N}";
        const string title = "An essay listed half-way";
        var annotations = Enumerable.Range(1, 9).Select(i => Hypothesis.Add($"Half-listed sentence {i}.", uri, title)).ToList();
        await factory.SyncAsync(connectionId);
        Assert.Equal(9, (await TextsAsync(userId, title)).Count);
        var watermark = await factory.WithDbAsync(db => db.Connections.Where(c => c.Id == connectionId).Select(c => c.Watermark).FirstAsync());
        Hypothesis.Delete(annotations[1]);
        await ReconcileDueAsync(connectionId);
        var before = await ReconciledAtAsync(connectionId);
        try
        {
            // The search for changes (from a millisecond before the watermark, for annotations sharing its stamp)
            // answers; every later page of the listing answers 500.
            var changesFrom = DateTimeOffset.Parse(watermark!, System.Globalization.CultureInfo.InvariantCulture).AddMilliseconds(-1);
            Hypothesis.Fault = r => r.Path == "/api/search" && r["search_after"] is { } after
                && DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture) != changesFrom ? new FakeFault(500) : null;
            Hypothesis.ClearRequests();
            var failed = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Failed, failed!.Status);
            Assert.Contains("nothing was removed", failed.Error);
            Assert.Contains("500", failed.Error);
            Assert.Contains(Hypothesis.Requests, r => r.Path == "/api/search" && r["search_after"] is null); // the listing's first page was read
            Assert.Equal(0, failed.Removed);
            Assert.Equal(9, (await TextsAsync(userId, title)).Count);
            Assert.Equal(before, await ReconciledAtAsync(connectionId));
            Assert.Equal(ConnectionStatus.Failed, (await GetAsync(client, connectionId)).Status);

            Hypothesis.Fault = null;
            var finished = await factory.SyncAsync(connectionId);
            Assert.Equal(ConnectionStatus.Idle, finished!.Status);
            Assert.Equal(1, finished.Removed);
            Assert.DoesNotContain(annotations[1].Quote, await TextsAsync(userId, title));
            Assert.Equal(8, (await TextsAsync(userId, title)).Count);
        }
        finally
        {
            Hypothesis.Fault = null;
        }
    }

    [Fact]
    public async Task ASyncDoesNotLoseAnAnnotationThatSharesTheUpdatedStampOfTheLastOneOnAPage()
    {
        var (_, userId, connectionId) = await HypothesisReaderAsync();
        var uri = $"https://example.com/ties/{Guid.NewGuid():N}";
        const string title = "An essay edited in bulk";
        for (var i = 1; i <= 3; i++) Hypothesis.Add($"Bulk essay sentence {i}.", uri, title);
        // The fourth closes a page of four; the fifth carries the same instant (a bulk import upstream).
        var fourth = Hypothesis.Add("Bulk essay sentence 4.", uri, title);
        Hypothesis.Add("Bulk essay sentence 5.", uri, title, configure: a => a.Updated = fourth.Updated);

        var outcome = await factory.SyncAsync(connectionId);

        Assert.Equal(ConnectionStatus.Idle, outcome!.Status);
        Assert.Equal(5, (await TextsAsync(userId, title)).Count);
        Assert.Equal(5, outcome.Imported);
        var again = await factory.SyncAsync(connectionId);
        Assert.Equal(0, again!.Imported);
        Assert.Equal(5, (await TextsAsync(userId, title)).Count);
    }

    [Fact]
    public async Task TheReconcilingListingDoesNotLoseAnnotationsThatShareTheUpdatedStampAtAPageBoundary()
    {
        var (_, userId, connectionId) = await HypothesisReaderAsync();
        var uri = $"https://example.com/ties/{Guid.NewGuid():N}";
        const string title = "An essay with simultaneous edits";
        for (var i = 1; i <= 3; i++) Hypothesis.Add($"Tied essay sentence {i}.", uri, title);
        await factory.SyncAsync(connectionId);
        // Two annotations stamped the same instant (a bulk import upstream), the first of them last on a page of 4.
        var fourth = Hypothesis.Add("Tied essay sentence 4.", uri, title);
        Hypothesis.Add("Tied essay sentence 5.", uri, title, configure: a => a.Updated = fourth.Updated);
        await factory.SyncAsync(connectionId);
        Assert.Equal(5, (await TextsAsync(userId, title)).Count);

        await ReconcileDueAsync(connectionId);
        var outcome = await factory.SyncAsync(connectionId);
        Assert.Equal(ConnectionStatus.Idle, outcome!.Status);
        Assert.Equal(0, outcome.Removed);
        Assert.Equal(5, (await TextsAsync(userId, title)).Count);
    }

    [Fact]
    public async Task TheConnectionsPageAddsListsAndRemovesAConnectionWithoutShowingTheToken()
    {
        var (api, _) = await factory.NewUserAsync();
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
        var page = await client.GetStringAsync("/Connections");
        Assert.Contains("No connections yet", page);
        var antiforgery = AntiforgeryForm.Token(page);

        FormUrlEncodedContent Form(string token) => new(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery, ["Form.Service"] = "readwise", ["Form.Token"] = token,
        });
        using var rejected = await client.PostAsync("/Connections?handler=Add", Form("wrong-token-for-the-page"));
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var rejectedPage = await rejected.Content.ReadAsStringAsync();
        Assert.Contains("Readwise rejected this access token", WebUtility.HtmlDecode(rejectedPage));
        Assert.DoesNotContain("wrong-token-for-the-page", rejectedPage);

        using var added = await client.PostAsync("/Connections?handler=Add", Form(Readwise.Token));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var listed = await client.GetStringAsync("/Connections");
        Assert.Contains("data-connection=", listed);
        Assert.Contains("Sync now", listed);
        Assert.Contains("…" + Readwise.Token[^4..], WebUtility.HtmlDecode(listed));
        Assert.DoesNotContain(Readwise.Token, listed);
        Assert.Contains("href=\"/Connections\"", listed); // in the navigation

        var id = System.Text.RegularExpressions.Regex.Match(listed, "data-connection=\"([^\"]+)\"").Groups[1].Value;
        using var removed = await client.PostAsync($"/Connections?handler=Remove&id={id}", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery }));
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("No connections yet", await client.GetStringAsync("/Connections"));
    }

    [Fact]
    public async Task TheTokenNeverAppearsInTheLogsOrTheApi()
    {
        var (client, _, connectionId) = await ReadwiseReaderAsync();
        var book = Readwise.AddBook($"Secrets {Guid.NewGuid():N}");
        Readwise.AddHighlight(book, "A passage synced while every log line is kept.");
        await factory.SyncAsync(connectionId);
        await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = "wrong-token-but-long-enough" });
        var oldToken = Readwise.Token;
        Readwise.Token = "tok_" + Guid.NewGuid().ToString("N");
        try
        {
            await factory.SyncAsync(connectionId);
        }
        finally
        {
            Readwise.Token = oldToken;
        }

        Assert.NotEmpty(factory.Logs.Entries);
        Assert.Contains(factory.Logs.Entries, e => e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal));
        foreach (var entry in factory.Logs.Entries)
        {
            var line = entry.ToString();
            Assert.DoesNotContain(oldToken, line);
            Assert.DoesNotContain("wrong-token-but-long-enough", line);
        }
        foreach (var path in new[] { "/api/connections", $"/api/connections/{connectionId}" })
            Assert.DoesNotContain(oldToken, await client.GetStringAsync(path));
    }
}

/// <summary>A library quota of three highlights, with fakes of its own (so no other test's books are served).</summary>
public sealed class QuotaSyncAppFactory : SyncAppFactory
{
    public const int MaxHighlightsPerUser = 3;

    protected override string ConnectionString => OwnedPostgresDatabase;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Limits:MaxHighlightsPerUser", MaxHighlightsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class SyncQuotaTests(QuotaSyncAppFactory factory) : IClassFixture<QuotaSyncAppFactory>
{
    [Fact]
    public async Task ASyncThatWouldPassTheLibraryQuotaStopsWithTheReasonAndStoresNoPartOfThePage()
    {
        var (client, email) = await factory.NewUserAsync();
        var book = factory.Readwise.AddBook("Too many for the quota");
        for (var i = 1; i <= QuotaSyncAppFactory.MaxHighlightsPerUser + 2; i++)
            factory.Readwise.AddHighlight(book, $"Passage {i} of a long book.");
        var created = await client.PostAsJsonAsync("/api/connections", new { service = "readwise", token = factory.Readwise.Token });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connectionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var outcome = await factory.SyncAsync(connectionId);

        Assert.Equal(ConnectionStatus.Failed, outcome!.Status);
        Assert.Contains("Hatch:Limits:MaxHighlightsPerUser", outcome.Error);
        var userId = await factory.UserIdAsync(email);
        Assert.Equal(0, await factory.WithDbAsync(db => db.HighlightsOf(userId).CountAsync()));
        var shown = await client.GetFromJsonAsync<JsonElement>($"/api/connections/{connectionId}");
        Assert.Contains("MaxHighlightsPerUser", shown.GetProperty("error").GetString());
    }
}
