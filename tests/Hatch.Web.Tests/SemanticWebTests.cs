using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

public sealed class PostgresSemanticWebTests(PostgresAppFactory factory) : SemanticWebTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteSemanticWebTests(SqliteAppFactory factory) : SemanticWebTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>Hatching by meaning in the web app, with the None provider (hashed word vectors) for speed.</summary>
public abstract partial class SemanticWebTests(HatchAppFactory factory)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Three topics, each spread over two books that share the topic's words, plus one unrelated passage.</summary>
    internal static readonly (string Text, string Source)[] Library =
    [
        ("Sleep consolidates memory: during deep sleep the brain replays what was learned.", "Why We Sleep"),
        ("Memory consolidation needs sleep; skipping sleep erases the learning of the day.", "Why We Sleep"),
        ("Deep sleep spindles predict how much memory survives until morning.", "Why We Sleep"),
        ("Learning sticks when sleep follows practice and memory is consolidated overnight.", "Make It Stick"),
        ("A night of sleep after study strengthens memory more than another hour of study.", "Make It Stick"),
        ("Compound interest rewards saving early: money grows on its own interest.", "The Psychology of Money"),
        ("Saving money is a habit; interest compounds the habit of saving into wealth.", "The Psychology of Money"),
        ("Index funds let savings compound at low cost; fees eat compound interest.", "The Little Book of Common Sense Investing"),
        ("Low cost index funds beat most managers because fees compound against savings.", "The Little Book of Common Sense Investing"),
        ("Money saved early compounds longest; interest on interest is the engine of saving.", "The Little Book of Common Sense Investing"),
        ("Teams need psychological safety so members speak up about mistakes.", "The Fearless Organization"),
        ("When a team feels safe, members admit mistakes and the team learns faster.", "The Fearless Organization"),
        ("Safe teams share bad news early; members who fear blame hide mistakes.", "Team of Teams"),
        ("Team members trust each other when mistakes are met with curiosity, not blame.", "Team of Teams"),
        ("Psychological safety lets team members disagree without fear.", "Team of Teams"),
    ];

    internal static object[] Batch(IEnumerable<(string Text, string Source)> items) =>
        items.Select(i => (object)new { text = i.Text, source = i.Source }).ToArray();

    public sealed record Report(string Format, int Imported, int Duplicates, List<Dup> ProbableDuplicates, string NearDuplicateCheck);
    public sealed record Dup(Guid Id, string Text, Guid ExistingId, string ExistingText, string ExistingSource, double Cosine);
    public sealed record Theme(string Label, List<string> KeyPhrases, List<string> Sources, int Size, List<Guid> HighlightIds);
    public sealed record Themes(List<Theme> Items, int Embedded, int Pending, string Model);
    public sealed record ThemesBody(List<Theme> Themes, int Embedded, int Pending, string Model, bool Computing);
    public sealed record Related(Guid Id, string Text, string Source, double Score);
    public sealed record Row(Guid Id, string Text, string Source);
    public sealed record Page(List<Row> Items, int Total);

    internal static async Task<List<Row>> AllAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<Page>("/api/highlights?pageSize=500", Json))!.Items;

    /// <summary>Waits for the background job to embed everything the user has.</summary>
    internal static async Task WaitForEmbeddingsAsync(HatchAppFactory factory, string userId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId) == 0) return;
            Assert.True(DateTime.UtcNow < deadline, "embeddings were not computed in time");
            await Task.Delay(100);
        }
    }

    /// <summary>A new user whose library is <see cref="Library"/>, every highlight embedded.</summary>
    internal static async Task<(HttpClient Client, string UserId)> UserWithLibraryAsync(HatchAppFactory factory)
    {
        var (client, email) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Batch(Library))).EnsureSuccessStatusCode();
        var userId = await factory.UserIdAsync(email);
        await WaitForEmbeddingsAsync(factory, userId);
        return (client, userId);
    }

    [Fact]
    public async Task AnImportEnqueuesEmbeddingWorkAndAnswersBeforeItRuns()
    {
        // A second host on the same database with no worker: whatever is enqueued stays in the queue.
        using var noWorker = factory.WithWebHostBuilder(b => b.UseSetting("Hatch:Jobs:RunWorker", "false"));
        var (client, email) = await NewUserOnAsync(noWorker);
        var many = Enumerable.Range(1, HighlightIntake.MaxNewForDuplicateCheck + 5)
            .Select(i => ($"Observation number {i} about gardens and the weather in spring {i * 7}.", "Notebook"));
        var report = await (await client.PostAsJsonAsync("/api/highlights", Batch(many))).Content.ReadFromJsonAsync<Report>(Json);
        Assert.Equal(HighlightIntake.MaxNewForDuplicateCheck + 5, report!.Imported);
        Assert.Equal("background", report.NearDuplicateCheck);

        var userId = await factory.UserIdAsync(email);
        await using var scope = noWorker.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var storage = scope.ServiceProvider.GetRequiredService<JobStorage>();
        var monitor = storage.GetMonitoringApi();
        if (storage is Hangfire.InMemory.InMemoryStorage)
        {
            // This host's queue has no worker at all: nothing has been embedded, and the job waits its turn.
            Assert.Equal(0, await db.HighlightEmbeddings.CountAsync(e => db.Highlights.Any(h => h.Id == e.HighlightId && h.UserId == userId)));
            Assert.Contains(monitor.EnqueuedJobs("default", 0, 100), j => IsEmbeddingJobFor(j.Value.Job, userId));
        }
        else
        {
            // PostgreSQL's queue is shared with the fixture's host, whose worker may already have taken the job; every
            // host's start-up embedding refresh adds jobs of its own, so the lists are read whole.
            // Read in the order jobs move (enqueued, fetched by a worker but not yet processing, processing, then done
            // or scheduled for a retry), and again for a while: on a loaded machine a job can change lists between two
            // reads. The first sighting is kept: reading again could miss the job in its next move.
            bool Listed() => monitor.EnqueuedJobs("default", 0, 10_000).Select(j => j.Value.Job)
                .Concat(monitor.FetchedJobs("default", 0, 10_000).Select(j => j.Value.Job))
                .Concat(monitor.ProcessingJobs(0, 10_000).Select(j => j.Value.Job))
                .Concat(monitor.SucceededJobs(0, 10_000).Select(j => j.Value.Job))
                .Concat(monitor.ScheduledJobs(0, 10_000).Select(j => j.Value.Job))
                .Any(j => IsEmbeddingJobFor(j, userId));
            var until = DateTime.UtcNow.AddSeconds(30);
            var listed = Listed();
            while (!listed && DateTime.UtcNow < until)
            {
                await Task.Delay(250);
                listed = Listed();
            }
            Assert.True(listed, "no embedding job for the import's user in Hangfire's job lists");
            await WaitForEmbeddingsAsync(factory, userId);
        }
    }

    private static bool IsEmbeddingJobFor(Hangfire.Common.Job? job, string userId) =>
        job?.Type == typeof(EmbeddingJob) && job.Args.Count > 0 && job.Args[0] as string == userId;

    private static async Task<(HttpClient Client, string Email)> NewUserOnAsync(WebApplicationFactory<Program> host)
    {
        var email = $"u{Guid.NewGuid():N}@example.com";
        var client = host.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = HatchAppFactory.Password });
        var token = (await login.Content.ReadFromJsonAsync<HatchAppFactory.TokenResponse>())!.AccessToken;
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (client, email);
    }

    [Fact]
    public async Task TheJobStoresOneVectorPerHighlightWithTheModelThatMadeIt()
    {
        var (_, userId) = await UserWithLibraryAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var rows = await db.HighlightEmbeddings.Where(e => db.Highlights.Any(h => h.Id == e.HighlightId && h.UserId == userId)).ToListAsync();
        Assert.Equal(Library.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal(("lexical-hash-1024", 1024, 4096), (r.ModelId, r.Dimensions, r.Vector.Length)));
    }

    [Fact]
    public async Task VectorsFromAnotherModelCountAsMissingAndAreRecomputed()
    {
        var (_, userId) = await UserWithLibraryAsync(factory);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var mine = db.HighlightEmbeddings.Where(e => db.Highlights.Any(h => h.Id == e.HighlightId && h.UserId == userId));
            // As if the library had been embedded by a model configured earlier.
            await mine.ExecuteUpdateAsync(s => s.SetProperty(e => e.ModelId, "old-model"));
            Assert.Equal(Library.Length, await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId));
            await scope.ServiceProvider.GetRequiredService<EmbeddingJob>().RunAsync(userId, CancellationToken.None);
        }
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var models = await db.HighlightEmbeddings.Where(e => db.Highlights.Any(h => h.Id == e.HighlightId && h.UserId == userId)).Select(e => e.ModelId).ToListAsync();
            Assert.Equal(Library.Length, models.Count);
            Assert.All(models, m => Assert.Equal("lexical-hash-1024", m));
        }
    }

    [Fact]
    public async Task SuggestedThemesEachSpanAtLeastTwoSourcesOfTheReadersOwnLibrary()
    {
        var (client, _) = await UserWithLibraryAsync(factory);
        var body = (await client.GetFromJsonAsync<ThemesBody>("/api/themes", Json))!;
        Assert.NotEmpty(body.Themes);
        Assert.InRange(body.Themes.Count, 1, 5);
        Assert.Equal((Library.Length, 0), (body.Embedded, body.Pending));
        Assert.False(body.Computing, "a small library's ideas are worked out in the request");
        var mine = (await AllAsync(client)).Select(r => r.Id).ToHashSet();
        Assert.All(body.Themes, t =>
        {
            Assert.True(t.Sources.Count >= 2, $"theme '{t.Label}' has sources {string.Join(", ", t.Sources)}");
            Assert.False(string.IsNullOrWhiteSpace(t.Label));
            Assert.Subset(mine, t.HighlightIds.ToHashSet());
        });
    }

    /// <summary>A reader signed up through the pages (a cookie session) who imported <see cref="Library"/> there, every highlight embedded.</summary>
    private static async Task<(HttpClient Client, string UserId)> ReaderOnThePagesAsync(WebApplicationFactory<Program> host)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = $"p{Guid.NewGuid():N}@example.com";
        var register = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email, ["Form.Password"] = HatchAppFactory.Password, ["Form.ConfirmPassword"] = HatchAppFactory.Password,
            ["__RequestVerificationToken"] = AntiforgeryForm.Token(await client.GetStringAsync("/Account/Register")),
        }));
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        var upload = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(Batch(Library))), "upload", "mine.json" },
            { new StringContent(AntiforgeryForm.Token(await client.GetStringAsync("/Highlights"))), "__RequestVerificationToken" },
        };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/Highlights?handler=Import", upload)).StatusCode);
        string userId;
        await using (var scope = host.Services.CreateAsyncScope())
            userId = (await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Users.AsNoTracking().SingleAsync(u => u.Email == email)).Id;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var scope = host.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId) == 0) break;
            Assert.True(DateTime.UtcNow < deadline, "embeddings were not computed in time");
            await Task.Delay(100);
        }
        return (client, userId);
    }

    [Fact]
    public async Task IdeasOfALargeLibraryAreWorkedOutInTheBackgroundAndAppearOnThePageOnceReady()
    {
        // Every library counts as large here, so the first visit never waits for the clustering.
        using var host = factory.WithWebHostBuilder(b => b.UseSetting("Hatch:Embeddings:IdeasInBackgroundFrom", "1"));
        var (client, userId) = await ReaderOnThePagesAsync(host);
        // The import's own page may already have started (and finished) a run; a change to the library makes the
        // next visit find no ideas for the library as it now is.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var unrelated = Library[^1].Text;
            await db.HighlightsOf(userId).Where(h => h.Text == unrelated).ExecuteDeleteAsync();
        }

        var first = await client.GetStringAsync("/Highlights");
        Assert.Contains("Ideas waiting to hatch", first);
        Assert.Contains("being worked out in the background", first);

        // The run ends on its own; the page then lists the ideas with their Hatch buttons and stops saying it is busy.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string html;
        while (true)
        {
            html = await client.GetStringAsync("/Highlights");
            if (ThemeForm().IsMatch(html) && !html.Contains("being worked out in the background")) break;
            Assert.True(DateTime.UtcNow < deadline, "the ideas worked out in the background never appeared on the page");
            await Task.Delay(100);
        }
        Assert.NotEmpty(HiddenId().Matches(ThemeForm().Match(html).Value));
    }

    [Fact]
    public async Task HatchingASuggestedIdeaFromThePageSelectsExactlyItsHighlights()
    {
        var (client, userId) = await ReaderOnThePagesAsync(factory);

        var html = await client.GetStringAsync("/Highlights");
        Assert.Contains("Ideas waiting to hatch", html);
        var form = ThemeForm().Match(html);
        Assert.True(form.Success, "no theme form with a Hatch button on the page");
        var ids = HiddenId().Matches(form.Value).Select(m => Guid.Parse(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(ids);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", AntiforgeryForm.Token(form.Value)),
        };
        fields.AddRange(ids.Select(id => new KeyValuePair<string, string>("themeIds", id.ToString())));
        var posted = await client.PostAsync("/Highlights?handler=HatchTheme", new FormUrlEncodedContent(fields));
        var withoutToken = await client.PostAsync("/Highlights?handler=HatchTheme", new FormUrlEncodedContent(fields.Skip(1)));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var requestId = Guid.Parse(posted.Headers.Location!.OriginalString.Split('/', '?').First(p => Guid.TryParse(p, out _)));

        await using var scope = factory.Services.CreateAsyncScope();
        var request = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().HatchRequests.AsNoTracking().FirstAsync(r => r.Id == requestId);
        Assert.Equal(ids.Order(), request.Selection.HighlightIds!.Order());
        Assert.Equal(userId, request.UserId);
    }

    [Fact]
    public async Task RelatedHighlightsNeverIncludeTheHighlightItselfOrAnotherReadersHighlights()
    {
        var (alice, _) = await UserWithLibraryAsync(factory);
        var (bob, _) = await UserWithLibraryAsync(factory);
        var aliceRows = await AllAsync(alice);
        var bobIds = (await AllAsync(bob)).Select(r => r.Id).ToHashSet();
        var sleep = aliceRows.First(r => r.Text.StartsWith("Sleep consolidates memory", StringComparison.Ordinal));

        var related = (await alice.GetFromJsonAsync<List<Related>>($"/api/highlights/{sleep.Id}/related", Json))!;
        Assert.NotEmpty(related);
        Assert.DoesNotContain(related, r => r.Id == sleep.Id);
        Assert.DoesNotContain(related, r => bobIds.Contains(r.Id));
        Assert.Contains("sleep", related[0].Text, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/highlights/{sleep.Id}/related")).StatusCode);
        var page = await alice.GetAsync($"/Highlights/View/{sleep.Id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Related highlights", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KeywordSearchUsesTheDatabasesFullTextIndexWithStemmingAndStaysInTheReadersLibrary()
    {
        var (alice, _) = await UserWithLibraryAsync(factory);
        var (bob, _) = await UserWithLibraryAsync(factory);
        var bobIds = (await AllAsync(bob)).Select(r => r.Id).ToHashSet();

        var spindle = (await alice.GetFromJsonAsync<Page>("/api/highlights?q=spindle&mode=keyword", Json))!;
        var hit = Assert.Single(spindle.Items);
        Assert.Contains("spindles", hit.Text);
        Assert.DoesNotContain(hit.Id, bobIds);

        // Operators of FTS5 or tsquery in the box are only words: quotes and a star change nothing, an OR is one more
        // word every match must hold (as an operator it would have found the spindles), and a broken expression is
        // not an error.
        var quoted = (await alice.GetFromJsonAsync<Page>("/api/highlights?q=%22spindle%22*&mode=keyword", Json))!;
        Assert.Equal(hit.Id, Assert.Single(quoted.Items).Id);
        var either = (await alice.GetFromJsonAsync<Page>("/api/highlights?q=spindle%20OR%20zzqxv&mode=keyword", Json))!;
        Assert.Empty(either.Items);
        var odd = await alice.GetAsync("/api/highlights?q=%22fees%22%20AND%20(NEAR%20*&mode=keyword");
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);

        var hybrid = (await alice.GetFromJsonAsync<Page>("/api/highlights?q=index%20funds%20fees&mode=hybrid", Json))!;
        Assert.NotEmpty(hybrid.Items);
        Assert.Contains("fees", hybrid.Items[0].Text);
        Assert.DoesNotContain(hybrid.Items, i => bobIds.Contains(i.Id));
    }

    [Fact]
    public async Task ANearlyIdenticalHighlightIsReportedAtImportAndStillStored()
    {
        var (client, _) = await UserWithLibraryAsync(factory);
        var original = Library[5].Text; // "Compound interest rewards saving early: money grows on its own interest."
        var again = original.Replace("money grows", "money grows,", StringComparison.Ordinal).Replace("early:", "early -", StringComparison.Ordinal);
        var report = await (await client.PostAsJsonAsync("/api/highlights", Batch([(again, "Blog notes"), ("Gardens need patience and water.", "Blog notes")])))
            .Content.ReadFromJsonAsync<Report>(Json);

        Assert.Equal(2, report!.Imported);
        Assert.Equal("checked", report.NearDuplicateCheck);
        var dup = Assert.Single(report.ProbableDuplicates);
        Assert.Equal(again, dup.Text);
        Assert.Equal(original, dup.ExistingText);
        Assert.True(dup.Cosine >= 0.95);
        Assert.Contains(await AllAsync(client), r => r.Text == again);
    }

    [GeneratedRegex("<form[^>]*handler=HatchTheme[^>]*>(?:(?!</form>).)*hatch-theme(?:(?!</form>).)*</form>", RegexOptions.Singleline)]
    private static partial Regex ThemeForm();

    [GeneratedRegex("name=\"themeIds\" value=\"([0-9a-f-]{36})\"")]
    private static partial Regex HiddenId();
}

public sealed class MiniLmSemanticWebTests(MiniLmSqliteAppFactory factory) : IClassFixture<MiniLmSqliteAppFactory>
{
    [Fact]
    public async Task HybridSearchFindsAHighlightByMeaningThatKeywordSearchMisses()
    {
        var (client, email) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", SemanticWebTests.Batch(SemanticWebTests.Library))).EnsureSuccessStatusCode();
        await SemanticWebTests.WaitForEmbeddingsAsync(factory, await factory.UserIdAsync(email), TimeSpan.FromSeconds(120));

        const string query = "/api/highlights?q=what%20happens%20to%20recollections%20overnight&mode=";
        var keyword = (await client.GetFromJsonAsync<SemanticWebTests.Page>(query + "keyword", SemanticWebTests.Json))!;
        Assert.Empty(keyword.Items);
        var hybrid = (await client.GetFromJsonAsync<SemanticWebTests.Page>(query + "hybrid", SemanticWebTests.Json))!;
        Assert.NotEmpty(hybrid.Items);
        Assert.Contains("sleep", hybrid.Items[0].Text, StringComparison.OrdinalIgnoreCase);

        var themes = (await client.GetFromJsonAsync<SemanticWebTests.ThemesBody>("/api/themes", SemanticWebTests.Json))!;
        Assert.Equal("all-MiniLM-L6-v2", themes.Model);
        Assert.NotEmpty(themes.Themes);
        Assert.All(themes.Themes, t => Assert.True(t.Sources.Count >= 2));
    }

    public sealed record HatchState(Guid Id, string Status, Guid? DraftId, string? Error);

    [Fact]
    public async Task AHatchEmbedsItsHighlightsFirstWhenTheJobHasNotAndTheDraftPageShowsRelatedHighlights()
    {
        var (client, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        // Stored straight into the library: no import, so no embedding job was ever enqueued for these.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var library = scope.ServiceProvider.GetRequiredService<HighlightLibrary>();
            await library.AddAsync(userId, SemanticWebTests.Library.Select(l => new Highlight
            {
                Text = l.Text,
                Source = new HighlightSource(l.Source, null, null),
            }).ToArray());
            Assert.Equal(SemanticWebTests.Library.Length, await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId));
        }
        var rows = await SemanticWebTests.AllAsync(client);
        var chosen = rows.Where(r => r.Source is "Why We Sleep" or "Team of Teams" or "The Psychology of Money").Select(r => r.Id).ToArray();
        var accepted = await client.PostAsJsonAsync("/api/hatches", new { highlightIds = chosen });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<HatchState>(SemanticWebTests.Json))!.Id;
        HatchState status;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        do
        {
            await Task.Delay(200);
            status = (await client.GetFromJsonAsync<HatchState>($"/api/hatches/{id}", SemanticWebTests.Json))!;
            Assert.True(DateTime.UtcNow < deadline, "the hatch did not finish");
        } while (status.Status is not ("Succeeded" or "Failed"));
        Assert.True(status.Status == "Succeeded", status.Error);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var embedded = await db.HighlightEmbeddings.Where(e => chosen.Contains(e.HighlightId) && e.ModelId == "all-MiniLM-L6-v2").CountAsync();
            Assert.Equal(chosen.Length, embedded);
            // Only the hatch's highlights: the rest of the library still waits for a job that was never enqueued.
            Assert.Equal(SemanticWebTests.Library.Length - chosen.Length, await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId));
            // Now the rest, as the job would: "Make It Stick" writes about sleep too, so the sleep section has neighbours.
            await scope.ServiceProvider.GetRequiredService<EmbeddingJob>().RunAsync(userId, CancellationToken.None);
        }

        var page = await client.GetAsync($"/Drafts/{status.DraftId}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Related highlights not in this section", html);
    }
}

