using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Features.Library;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Hatch.Web.Tests.SemanticWebTests;

namespace Hatch.Web.Tests;

public sealed class PostgresEmbeddingJobTests(PostgresAppFactory factory) : EmbeddingJobTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteEmbeddingJobTests(SqliteAppFactory factory) : EmbeddingJobTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>What the embedding job does after an import, and keeping every library embedded under the configured model.</summary>
public abstract class EmbeddingJobTests(HatchAppFactory factory)
{
    /// <summary>Distinct passages made of made-up words, so no two share most of their wording by chance.</summary>
    private static List<(string Text, string Source)> Distinct(int count, int seed)
    {
        string[] syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "pe", "si", "du", "ga", "fe"];
        var random = new Random(seed);
        string Word() => string.Concat(Enumerable.Range(0, 3).Select(_ => syllables[random.Next(syllables.Length)]));
        return Enumerable.Range(1, count)
            .Select(i => (string.Join(' ', Enumerable.Range(0, 10).Select(_ => Word())) + ".", i % 2 == 0 ? "Field notes" : "Travel diary"))
            .ToList();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ALargeImportGetsItsNearDuplicateReportFromTheEmbeddingJob()
    {
        var (client, _) = await SemanticWebTests.UserWithLibraryAsync(factory);
        var original = Library[5].Text; // "Compound interest rewards saving early: money grows on its own interest."
        var again = original.Replace("early:", "early -", StringComparison.Ordinal);
        var batch = Distinct(HighlightIntake.MaxNewForDuplicateCheck + 72, seed: 7);
        var repeatedInside = batch[10].Text.Replace(".", "!", StringComparison.Ordinal);
        batch.Insert(50, (again, "Blog notes"));
        batch.Add((repeatedInside, "Blog notes"));

        var report = await (await client.PostAsJsonAsync("/api/highlights", Batch(batch))).Content.ReadFromJsonAsync<Report>(Json);

        Assert.Equal(batch.Count, report!.Imported);
        Assert.Equal("background", report.NearDuplicateCheck);
        Assert.Empty(report.ProbableDuplicates);
        List<Dup> reported = [];
        await WaitUntilAsync(async () =>
        {
            reported = (await client.GetFromJsonAsync<List<Dup>>("/api/highlights/probable-duplicates", Json))!;
            return reported.Count >= 2;
        }, "the embedding job reported the probable duplicates");
        Assert.Equal(2, reported.Count);
        var ofLibrary = Assert.Single(reported, d => d.Text == again);
        Assert.Equal(original, ofLibrary.ExistingText);
        Assert.True(ofLibrary.Cosine >= 0.95);
        // Within one import neither passage came first, so either may be the one reported.
        var ofItself = Assert.Single(reported, d => d.Text != again);
        Assert.Equal(new[] { batch[10].Text, repeatedInside }.Order(), new[] { ofItself.Text, ofItself.ExistingText }.Order());
        // Reported, not dropped: both are in the library.
        var all = (await client.GetFromJsonAsync<Page>("/api/highlights?pageSize=500", Json))!;
        Assert.Equal(Library.Length + batch.Count, all.Total);
    }

    [Fact]
    public async Task TheHighlightsPageListsProbableDuplicatesTheJobFound()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = $"d{Guid.NewGuid():N}@example.com";
        var register = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email, ["Form.Password"] = HatchAppFactory.Password, ["Form.ConfirmPassword"] = HatchAppFactory.Password,
            ["__RequestVerificationToken"] = AntiforgeryForm.Token(await client.GetStringAsync("/Account/Register")),
        }));
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        var batch = Distinct(HighlightIntake.MaxNewForDuplicateCheck + 10, seed: 11);
        var twin = batch[3].Text.Replace(".", "?", StringComparison.Ordinal);
        batch.Add((twin, "Notebook"));
        var upload = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(Batch(batch))), "upload", "many.json" },
            { new StringContent(AntiforgeryForm.Token(await client.GetStringAsync("/Highlights"))), "__RequestVerificationToken" },
        };

        var imported = await (await client.PostAsync("/Highlights?handler=Import", upload)).Content.ReadAsStringAsync();

        Assert.Contains("will be listed on this page under “Probable duplicates”", WebUtility.HtmlDecode(imported));
        var userId = await factory.UserIdAsync(email);
        string html = "";
        await WaitUntilAsync(async () =>
        {
            html = WebUtility.HtmlDecode(await client.GetStringAsync("/Highlights"));
            return html.Contains("<h2 id=\"duplicates-title\">Probable duplicates</h2>", StringComparison.Ordinal);
        }, "the page listed the probable duplicate");
        Assert.Contains(twin, html);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        Assert.Equal(0, await db.HighlightsOf(userId).CountAsync(h => h.DuplicateCheckedAt == null));
    }

    [Fact]
    public async Task AChangeOfModelIsFollowedByARecomputeByTheRefreshJobWithoutANewImport()
    {
        var (_, userId) = await SemanticWebTests.UserWithLibraryAsync(factory);
        string currentModel;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            currentModel = scope.ServiceProvider.GetRequiredService<EmbeddingStore>().ModelId;
            var ids = await db.HighlightsOf(userId).Select(h => h.Id).ToListAsync();
            // As if an earlier configuration (another model) had made every vector of this library.
            Assert.Equal(Library.Length, await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId)).ExecuteUpdateAsync(s => s.SetProperty(e => e.ModelId, "an-older-model")));
            Assert.Equal(Library.Length, await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId));
        }

        // What every process does at start (JobsStartup): the refresh is a recurring job, and one run is enqueued at
        // once. (Not a second host here: Hangfire's log provider is process-wide and would die with it.)
        using (var connection = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection())
            Assert.Contains(connection.GetRecurringJobs(), j => j.Id == EmbeddingRefreshJob.RecurringJobId && j.Cron == EmbeddingRefreshJob.Cron);
        factory.Services.GetRequiredService<Hangfire.IBackgroundJobClient>().Enqueue<EmbeddingRefreshJob>(r => r.RunAsync(CancellationToken.None));

        await WaitUntilAsync(async () =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId) == 0;
        }, "the vectors were recomputed with the configured model");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var ids = await db.HighlightsOf(userId).Select(h => h.Id).ToListAsync();
            var models = await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId)).Select(e => e.ModelId).ToListAsync();
            Assert.Equal(Library.Length, models.Count); // the older vectors were replaced, not kept beside
            Assert.All(models, m => Assert.Equal(currentModel, m));
        }
    }

    [Fact]
    public async Task TheRefreshSweepEnqueuesOnlyUsersWithWorkLeft()
    {
        var (_, done) = await SemanticWebTests.UserWithLibraryAsync(factory);
        var (_, stale) = await SemanticWebTests.UserWithLibraryAsync(factory);
        // The app's own refresh (every quarter hour, and once at start) could recompute the stale vectors before the
        // sweep below looks at them; holding the user's embedding lock makes any such run wait until the test is done.
        using var connection = factory.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        using var embeddingLock = connection.AcquireDistributedLock(EmbeddingJob.LockName(stale), TimeSpan.FromSeconds(30));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var ids = await db.HighlightsOf(stale).OrderBy(h => h.Id).Select(h => h.Id).Take(3).ToListAsync();
        await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId)).ExecuteUpdateAsync(s => s.SetProperty(e => e.ModelId, "an-older-model"));
        var enqueued = new List<string>();
        var jobs = new RecordingJobClient(enqueued);
        var sweep = new EmbeddingRefreshJob(db, scope.ServiceProvider.GetRequiredService<EmbeddingStore>(),
            new EmbeddingScheduler(jobs, Microsoft.Extensions.Logging.Abstractions.NullLogger<EmbeddingScheduler>.Instance),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EmbeddingRefreshJob>.Instance);

        await sweep.RunAsync(CancellationToken.None);

        Assert.Contains(stale, enqueued);
        Assert.DoesNotContain(done, enqueued);
    }

    [Fact]
    public async Task JobsForOneUserRunningAtOnceEmbedEachHighlightOnce()
    {
        var (client, email) = await factory.NewUserAsync();
        var batch = Distinct(300, seed: 5);
        (await client.PostAsJsonAsync("/api/highlights", Batch(batch))).EnsureSuccessStatusCode();
        var userId = await factory.UserIdAsync(email);
        await WaitForEmbeddingsAsync(factory, userId);
        var services = factory.Services;
        var counter = new CountingGenerator.Counter();
        var counting = new CountingGenerator(services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), counter);
        EmbeddingJob JobIn(IServiceProvider scoped)
        {
            var store = new EmbeddingStore(scoped.GetRequiredService<HatchDbContext>(), counting, scoped.GetRequiredService<IOptions<EmbeddingOptions>>(),
                scoped.GetRequiredService<IdeasInBackground>(), scoped.GetRequiredService<VectorIndexCache>(),
                TimeProvider.System, NullLogger<EmbeddingStore>.Instance);
            return new EmbeddingJob(store,
                new NearDuplicateChecker(scoped.GetRequiredService<HatchDbContext>(), store, scoped.GetRequiredService<IOptions<EmbeddingOptions>>(), TimeProvider.System, NullLogger<NearDuplicateChecker>.Instance),
                scoped.GetRequiredService<Hangfire.JobStorage>(), NullLogger<EmbeddingJob>.Instance);
        }

        // Holding the user's lock while the vectors are removed keeps any background run from embedding them before
        // the count starts; such a run then queues behind the lock like the three below.
        Task runs;
        using (var connection = services.GetRequiredService<Hangfire.JobStorage>().GetConnection())
        using (connection.AcquireDistributedLock(EmbeddingJob.LockName(userId), TimeSpan.FromSeconds(30)))
        {
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
                var ids = await db.HighlightsOf(userId).Select(h => h.Id).ToListAsync();
                await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId)).ExecuteDeleteAsync();
                await db.HighlightsOf(userId).ExecuteUpdateAsync(s => s.SetProperty(h => h.DuplicateCheckedAt, (DateTimeOffset?)null));
            }

            // Three runs for the same user at once, as three processes (an import, a retry, the refresh sweep) might start them.
            runs = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                await using var scope = services.CreateAsyncScope();
                await JobIn(scope.ServiceProvider).RunAsync(userId, CancellationToken.None);
            })));
            // "Nothing embedded while the lock is held" is a quiet period: a short wait can only let a broken lock go
            // unnoticed on a slow machine, never fail a working one.
            await Task.Delay(300);
            Assert.Equal(0, counter.Texts); // all three wait for the lock
        }
        await runs;

        Assert.Equal(batch.Count, counter.Texts);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var ids = await db.HighlightsOf(userId).Select(h => h.Id).ToListAsync();
            Assert.Equal(batch.Count, await db.HighlightEmbeddings.CountAsync(e => ids.Contains(e.HighlightId)));
            Assert.Equal(0, await db.HighlightsOf(userId).CountAsync(h => h.DuplicateCheckedAt == null));
        }
    }

    /// <summary>Counts the texts the embedding model is asked for, across the jobs of one host.</summary>
    private sealed class CountingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, CountingGenerator.Counter counter)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public sealed class Counter
        {
            private int _texts;
            public int Texts => Volatile.Read(ref _texts);
            public void Add(int n) => Interlocked.Add(ref _texts, n);
            public void Reset() => Interlocked.Exchange(ref _texts, 0);
        }

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            counter.Add(list.Count);
            return base.GenerateAsync(list, options, cancellationToken);
        }
    }

    private sealed class RecordingJobClient(List<string> users) : Hangfire.IBackgroundJobClient
    {
        public string Create(Hangfire.Common.Job job, Hangfire.States.IState state)
        {
            users.Add((string)job.Args[0]);
            return Guid.NewGuid().ToString();
        }

        public bool ChangeState(string jobId, Hangfire.States.IState state, string expectedState) => true;
    }
}
