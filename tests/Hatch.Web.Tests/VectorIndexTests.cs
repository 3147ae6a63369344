using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.Domain.Hatching;
using Hatch.Features.Hatching;
using Hatch.Features.Library;
using Hatch.Features.Requests;
using Hatch.TestSupport;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Tests;

public sealed class PostgresVectorIndexTests(PostgresAppFactory factory) : VectorIndexTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteVectorIndexTests(SqliteAppFactory factory) : VectorIndexTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>
/// The in-memory vector index answers exactly what ranking the whole library read from the database answered
/// (<see cref="EmbeddingStore.LibraryAsync"/> fed to the pure services), and notices changes made by another process.
/// </summary>
public abstract class VectorIndexTests(HatchAppFactory factory)
{
    private static readonly string[] Vocabulary =
    [
        "memory", "sleep", "habit", "money", "team", "trust", "garden", "river", "writing", "reading", "attention", "focus",
        "practice", "interest", "saving", "compound", "learning", "failure", "feedback", "courage", "patience", "design",
        "simple", "system", "water", "light", "music", "silence", "city", "walking", "question", "answer", "story", "craft",
        "market", "price", "risk", "fear", "play", "work", "rest", "morning", "night", "friend", "teacher", "student",
    ];

    /// <summary>A user whose library of <paramref name="count"/> passages is stored with vectors: the app's own, plus a little noise so no two scores tie.</summary>
    private async Task<(string UserId, List<StoredHighlight> Rows)> LibraryAsync(int count, int seed)
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        var random = new Random(seed);
        var highlights = Enumerable.Range(0, count).Select(i =>
        {
            var words = Enumerable.Range(0, 12 + random.Next(18)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]);
            return HighlightBuilder.Make($"{string.Join(' ', words)} {i}.", $"Book {i % 7}");
        }).ToArray();
        await using var scope = factory.Services.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<HighlightLibrary>();
        await library.AddAsync(userId, highlights);
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var rows = await db.HighlightsOf(userId).AsNoTracking().OrderBy(h => h.Id).ToListAsync();
        await StoreNoisyVectorsAsync(scope.ServiceProvider, rows, random);
        return (userId, rows);
    }

    private static async Task StoreNoisyVectorsAsync(IServiceProvider services, IReadOnlyList<StoredHighlight> rows, Random random)
    {
        var store = services.GetRequiredService<EmbeddingStore>();
        var vectors = await store.Generator.EmbedAsync(rows.Select(r => r.Text).ToArray());
        var noisy = vectors.Select(v => VectorMath.Normalize(v.Select(x => x + (float)(random.NextDouble() - 0.5) * 0.01f).ToArray())).ToArray();
        Assert.Equal(rows.Count, await store.SaveAsync(rows.Select((r, i) => (r.Id, noisy[i])).ToArray()));
    }

    [Fact]
    public async Task SearchAndRelatedFromTheIndexEqualTheRankingOfTheWholeLibraryReadFromTheDatabase()
    {
        var (userId, rows) = await LibraryAsync(400, seed: 11);
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
        var search = scope.ServiceProvider.GetRequiredService<HighlightSearch>();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var library = await store.LibraryAsync(userId);
        Assert.Equal(400, library.Count);

        foreach (var query in new[] { "memory sleep habit", "money compound interest saving", "river garden water light" })
        {
            var vector = (await store.Generator.EmbedAsync([query]))[0];
            var semantic = await search.SearchAsync(userId, query, SearchMode.Semantic, 50);
            Assert.NotEmpty(semantic);
            Assert.Equal(SemanticSearch.Rank(vector, library, [], 50, 50), semantic);

            var keyword = await db.SearchAsync(userId, query, 50, CancellationToken.None);
            var hybrid = await search.SearchAsync(userId, query, SearchMode.Hybrid, 50);
            Assert.Equal(SemanticSearch.Rank(vector, library, keyword, 50, 50), hybrid);
        }

        foreach (var row in rows.Take(25))
        {
            var self = library.Single(h => h.Id == row.Id);
            var related = await store.RelatedAsync(userId, row.Id, 8);
            Assert.Equal(RelatedHighlights.For(self, library, 8, 0.1f), related);
        }

        var groups = new[] { rows.Take(3).Select(r => r.Id).ToArray(), rows.Skip(10).Take(5).Select(r => r.Id).ToArray(), [rows[42].Id] };
        var beside = await store.RelatedToGroupsAsync(userId, groups, 3);
        var expected = groups.Select(g => RelatedHighlights.ForGroup(library.Where(h => g.Contains(h.Id)).ToArray(), library, 3, 0.1f)).ToArray();
        Assert.Equal(expected.Length, beside.Count);
        // The index adds a group's scores in another order than the reference, so the last bit of a float may differ.
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Select(r => r.Id), beside[i].Select(r => r.Id));
            Assert.All(expected[i].Zip(beside[i]), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 1e-5f));
        }
    }

    [Fact]
    public async Task AHatchOfAllMyHighlightsOrOfALargeSourceStartsFromItsMostCentralHighlights()
    {
        var (userId, rows) = await LibraryAsync(400, seed: 31);
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
        var source = new HatchSource(scope.ServiceProvider.GetRequiredService<HatchDbContext>(), store,
            Options.Create(new JobOptions { MaxHighlightsConsidered = 100 }));
        var library = await store.LibraryAsync(userId);

        IEnumerable<Guid> MostCentral(IReadOnlyList<EmbeddedHighlight> among)
        {
            var centre = VectorMath.Centroid(among.Select(h => h.Vector).ToArray(), Enumerable.Range(0, among.Count), among[0].Vector.Length);
            return among.OrderByDescending(h => VectorMath.Cosine(centre, h.Vector)).Take(100).Select(h => h.Id);
        }

        var all = await source.LoadAsync(userId, HatchSelection.All, CancellationToken.None);
        Assert.Equal(MostCentral(library).Order(), all.Select(h => h.Id).Order());

        var bookIds = rows.Where(r => r.SourceTitle == "Book 2").Select(r => r.Id).ToHashSet();
        Assert.True(bookIds.Count > 50);
        var book = await source.LoadAsync(userId, new HatchSelection(Source: "Book 2"), CancellationToken.None);
        var expected = bookIds.Count > 100 ? MostCentral(library.Where(h => bookIds.Contains(h.Id)).ToArray()) : bookIds;
        Assert.Equal(expected.Order(), book.Select(h => h.Id).Order());
    }

    [Fact]
    public async Task TheNearDuplicateCheckOfAnImportFindsWhatComparingEveryPairFinds()
    {
        var (userId, rows) = await LibraryAsync(600, seed: 23);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var checker = scope.ServiceProvider.GetRequiredService<NearDuplicateChecker>();
        await checker.CheckAsync(userId); // the library's own check, so only the import below is pending

        // One more word (a probable duplicate), five words changed (not one), and a passage repeated inside the import.
        var random = new Random(5);
        var incoming = rows.Take(60).Select((r, i) => (i % 3) switch
        {
            0 => r.Text.Replace(".", " indeed.", StringComparison.Ordinal),
            1 => string.Join(' ', r.Text.Split(' ').Select((w, j) => j < 5 ? Vocabulary[random.Next(Vocabulary.Length)] + "x" : w)),
            _ => $"a new passage about {Vocabulary[i % Vocabulary.Length]} and {Vocabulary[(i * 7) % Vocabulary.Length]} number {i}",
        }).ToList();
        incoming.Add(incoming[2] + " again");
        var import = incoming.Select(t => HighlightBuilder.Make(t, "Later book")).ToArray();
        await scope.ServiceProvider.GetRequiredService<HighlightLibrary>().AddAsync(userId, import);
        var added = await db.HighlightsOf(userId).AsNoTracking().Where(h => h.DuplicateCheckedAt == null).OrderBy(h => h.Id).ToListAsync();
        Assert.Equal(import.Length, added.Count);
        await StoreNoisyVectorsAsync(scope.ServiceProvider, added, new Random(7));

        var library = await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().LibraryAsync(userId);
        var addedIds = added.Select(a => a.Id).ToHashSet();
        var expected = NearDuplicates.Find(
            library.Where(h => addedIds.Contains(h.Id)).OrderBy(h => h.Id).ToArray(),
            library.Where(h => !addedIds.Contains(h.Id)).ToArray(),
            scope.ServiceProvider.GetRequiredService<IOptions<EmbeddingOptions>>().Value.NearDuplicateThreshold);
        Assert.InRange(expected.Count, 20, 40);

        var result = await checker.CheckAsync(userId);

        Assert.Equal(import.Length, result.Checked);
        Assert.Equal(
            expected.Select(d => (d.NewId, d.ExistingId, Math.Round(d.Cosine, 4))),
            result.Found.Select(d => (d.Id, d.ExistingId, d.Cosine)));
    }

    [Fact]
    public async Task AVectorStoredOrAHighlightDeletedByAnotherProcessIsSeenByTheNextSearch()
    {
        var (userId, rows) = await LibraryAsync(50, seed: 3);
        const string query = "garden river water light";
        List<Guid> Ids(IReadOnlyList<SearchHit> hits) => hits.Select(h => h.Id).ToList();
        async Task<IReadOnlyList<SearchHit>> SearchHereAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<HighlightSearch>().SearchAsync(userId, query, SearchMode.Semantic, 50);
        }

        var before = await SearchHereAsync(); // loads this process's index
        Assert.DoesNotContain(before, h => h.Cosine > 0.99f);

        // "Another process": its own services (and its own index) over the same database.
        using var other = factory.WithWebHostBuilder(b => b.UseSetting("Hatch:Jobs:RunWorker", "false"));
        await using (var scope = other.Services.CreateAsyncScope())
        {
            Assert.NotSame(factory.Services.GetRequiredService<VectorIndexCache>(), scope.ServiceProvider.GetRequiredService<VectorIndexCache>());
            await scope.ServiceProvider.GetRequiredService<HighlightLibrary>().AddAsync(userId,
                [HighlightBuilder.Make("garden river water light", "Field notes")]);
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var added = await db.HighlightsOf(userId).AsNoTracking().Where(h => h.Text == "garden river water light").ToListAsync();
            await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().EnsureAsync(userId, [added[0].Id]);
        }
        var afterAdd = await SearchHereAsync();
        Assert.True(afterAdd[0].Cosine > 0.99f, "the passage another process stored with its vector is found first");

        var gone = afterAdd[1].Id;
        await using (var scope = other.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchDbContext>().HighlightsOf(userId).Where(h => h.Id == gone).ExecuteDeleteAsync();
        var afterDelete = await SearchHereAsync();
        Assert.DoesNotContain(gone, Ids(afterDelete));
        Assert.Equal(afterAdd[0].Id, afterDelete[0].Id);
    }

    [Fact]
    public async Task TheIndexKeepsWithinItsMemoryBudgetByDroppingTheLeastRecentlyUsedLibrary()
    {
        var (first, _) = await LibraryAsync(200, seed: 41);
        var (second, _) = await LibraryAsync(200, seed: 42);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var model = scope.ServiceProvider.GetRequiredService<EmbeddingStore>().ModelId;
        // 200 vectors of 1,024 floats take about 0.8 MB: one library fits in 1 MB, two do not.
        var options = new EmbeddingOptions { IndexMemoryBudgetMB = 1 };
        using var cache = new VectorIndexCache(new StaticOptionsMonitor(options), NullLogger<VectorIndexCache>.Instance);

        var a = await cache.GetAsync(db, first, model);
        Assert.Equal(200, a.Count);
        Assert.Equal(1, cache.Count);
        var b = await cache.GetAsync(db, second, model);
        Assert.Equal(200, b.Count);

        Assert.Equal(1, cache.Count);
        Assert.InRange(cache.Bytes, 1, 1024 * 1024);
        Assert.Same(b, await cache.GetAsync(db, second, model)); // the recent one stayed
        Assert.NotSame(a, await cache.GetAsync(db, first, model)); // the older one was dropped and is read again
    }

    [Fact]
    public async Task ALibraryLargerThanTheBudgetIsNotKeptButRequestsThatOverlapShareOneCopy()
    {
        var (reader, _) = await LibraryAsync(400, seed: 43);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var model = scope.ServiceProvider.GetRequiredService<EmbeddingStore>().ModelId;
        // 400 vectors of 1,024 floats take about 1.6 MB, over a budget of 1 MB.
        using var cache = new VectorIndexCache(new StaticOptionsMonitor(new EmbeddingOptions { IndexMemoryBudgetMB = 1 }), NullLogger<VectorIndexCache>.Instance);

        var held = await cache.GetAsync(db, reader, model);
        Assert.Equal(400, held.Count);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        // A request still holds it: the next one uses that copy instead of reading a second into memory,
        // even after a collection (only the block is held, as a request holds it).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Same(held, await cache.GetAsync(db, reader, model));
        Assert.Equal(0, cache.Count);
        GC.KeepAlive(held);
    }

    [Fact]
    public async Task HybridSearchEmbedsTheQueryWhileTheDatabaseRunsTheKeywordQuery()
    {
        var (userId, _) = await LibraryAsync(100, seed: 47);
        await using var scope = factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var keywordQuery = new HoldKeywordQueryUntil();
        await using var db = WithInterceptor(services, keywordQuery);
        var generator = new SignallingGenerator(services.GetRequiredService<EmbeddingStore>().Generator);
        keywordQuery.Signal = generator.Started.Task;
        var store = new EmbeddingStore(db, generator, services.GetRequiredService<IOptions<EmbeddingOptions>>(),
            services.GetRequiredService<IdeasInBackground>(), services.GetRequiredService<VectorIndexCache>(), TimeProvider.System,
            NullLogger<EmbeddingStore>.Instance);
        var search = new HighlightSearch(db, store, PgVectorIndexWith(VectorIndexes.Memory, new LogCapture()));

        var hits = await search.SearchAsync(userId, "memory sleep", SearchMode.Hybrid, 10);

        Assert.NotEmpty(hits);
        Assert.Equal(1, keywordQuery.Held);
        // Run one after the other, the embedding would start only once the keyword query had ended.
        Assert.True(keywordQuery.SignalledWhileHeld, "the query's embedding started while the keyword query ran");
    }

    /// <summary>Holds the keyword (full-text) query until <see cref="Signal"/> completes or 10 s pass, and says which.</summary>
    private sealed class HoldKeywordQueryUntil : DbCommandInterceptor
    {
        public Task Signal { get; set; } = Task.CompletedTask;
        public int Held;
        public bool SignalledWhileHeld;

        private void Hold(DbCommand command)
        {
            if (!command.CommandText.Contains("highlights_fts") && !command.CommandText.Contains("\"SearchVector\" @@")) return;
            Interlocked.Increment(ref Held);
            SignalledWhileHeld = Signal.Wait(TimeSpan.FromSeconds(10));
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result)
        {
            Hold(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Hold(command);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class SignallingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            return base.GenerateAsync(values, options, cancellationToken);
        }
    }

    /// <summary>A context on the app's database with <paramref name="interceptor"/> added, outside the app's pool.</summary>
    private static HatchDbContext WithInterceptor(IServiceProvider services, IInterceptor interceptor) =>
        services.GetRequiredService<HatchDbContext>() is SqliteHatchDbContext
            ? new SqliteHatchDbContext(new DbContextOptionsBuilder<SqliteHatchDbContext>(
                services.GetRequiredService<DbContextOptions<SqliteHatchDbContext>>()).AddInterceptors(interceptor).Options)
            : new PostgresHatchDbContext(new DbContextOptionsBuilder<PostgresHatchDbContext>(
                services.GetRequiredService<DbContextOptions<PostgresHatchDbContext>>()).AddInterceptors(interceptor).Options);

    /// <summary>A <see cref="PgVectorIndex"/> as the app makes it, with <c>Hatch:Embeddings:Index</c> set and its log kept.</summary>
    private PgVectorIndex PgVectorIndexWith(string index, LogCapture log) => new(
        Options.Create(new EmbeddingOptions { Index = index }), factory.Services.GetRequiredService<IServiceScopeFactory>(),
        new Logger<PgVectorIndex>(new LoggerFactory([log])));

    [SkippableFact]
    public async Task WithoutPgVectorOnTheServerTheSettingFallsBackToTheInMemoryIndexAndSaysSoOnce()
    {
        var (userId, _) = await LibraryAsync(300, seed: 44);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        Skip.If(await db.PgVectorAvailableAsync(default), "this PostgreSQL server has pgvector: PgVectorRanksAsTheInMemoryIndexDoes covers it");
        var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
        var log = new LogCapture();
        var memory = new HighlightSearch(db, store, PgVectorIndexWith(VectorIndexes.Memory, log));
        var pgVector = new HighlightSearch(db, store, PgVectorIndexWith(VectorIndexes.PgVector, log));

        foreach (var mode in new[] { SearchMode.Semantic, SearchMode.Hybrid })
        foreach (var query in new[] { "garden river light", "memory and sleep" })
            Assert.Equal(await memory.SearchAsync(userId, query, mode, 20), await pgVector.SearchAsync(userId, query, mode, 20));

        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Hatch:Embeddings:Index is PgVector", warning.Message);
        Assert.Contains("ranks vectors in memory instead", warning.Message);
    }

    [SkippableFact]
    public async Task PgVectorRanksAsTheInMemoryIndexDoes()
    {
        var (userId, _) = await LibraryAsync(300, seed: 45);
        var (otherUser, _) = await LibraryAsync(100, seed: 46);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        Skip.IfNot(await db.PgVectorAvailableAsync(default),
            $"pgvector is not installed on this server ({db.Database.ProviderName}; pg_available_extensions lists no 'vector'), so there is nothing to compare with; " +
            "WithoutPgVectorOnTheServerTheSettingFallsBackToTheInMemoryIndexAndSaysSoOnce covers this server");
        var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
        var index = PgVectorIndexWith(VectorIndexes.PgVector, new LogCapture());
        Assert.True(await index.UsableAsync(db, default));
        var block = await store.IndexAsync(userId);

        foreach (var query in new[] { "garden river light", "memory and sleep", "team trust feedback" })
        {
            var vector = (await store.Generator.EmbedAsync([query]))[0];
            var expected = block.Nearest(vector, 10, SemanticSearch.DefaultMinCosine).Select(n => (Id: block.IdAt(n.Row), n.Score)).ToArray();
            var actual = await index.NearestAsync(db, userId, store.ModelId, vector, 10, SemanticSearch.DefaultMinCosine, default);
            // HNSW is approximate; at 300 vectors its recall is 1 in practice, and the scores are the same cosines.
            Assert.Equal(expected[0].Id, actual[0].Id);
            Assert.True(expected.Select(e => e.Id).Intersect(actual.Select(a => a.Id)).Count() >= expected.Length - 1);
            var expectedScores = expected.ToDictionary(e => e.Id, e => e.Score);
            Assert.All(actual.Where(a => expectedScores.ContainsKey(a.Id)), a => Assert.Equal(expectedScores[a.Id], a.Score, 3));
            Assert.DoesNotContain(actual, a => db.HighlightsOf(otherUser).Any(h => h.Id == a.Id));
        }
    }

    private sealed class StaticOptionsMonitor(EmbeddingOptions value) : IOptionsMonitor<EmbeddingOptions>
    {
        public EmbeddingOptions CurrentValue => value;
        public EmbeddingOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<EmbeddingOptions, string?> listener) => null;
    }
}
