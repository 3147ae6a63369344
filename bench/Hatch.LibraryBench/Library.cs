using System.Diagnostics;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.Features.Library;
using Hatch.Writing.Themes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hatch.LibraryBench;

/// <summary>The bench's data: passages of 12–40 words from a small vocabulary, 200 books, stored with their vectors.</summary>
internal static class Library
{
    private static readonly string[] Vocabulary =
    [
        "memory", "sleep", "habit", "money", "team", "trust", "garden", "river", "writing", "reading", "attention", "focus",
        "practice", "interest", "saving", "compound", "learning", "failure", "feedback", "courage", "patience", "design",
        "simple", "system", "water", "light", "music", "silence", "city", "walking", "question", "answer", "story", "craft",
        "market", "price", "risk", "fear", "play", "work", "rest", "morning", "night", "friend", "teacher", "student",
        "the", "a", "of", "and", "to", "in", "is", "that", "it", "for", "we", "what", "when", "more", "less", "than",
        "habitually", "slowly", "quickly", "together", "alone", "between", "before", "after", "always", "never", "often",
    ];

    /// <summary>
    /// 30,000 made-up words after the common ones, drawn by Zipf's law (s = 1.07) as the words of real prose are:
    /// passages then share their common words and rarely their rare ones, which is what the near-duplicate check's
    /// signatures and the keyword index meet in a real library.
    /// </summary>
    private static readonly string[] Words = Vocabulary.Concat(Enumerable.Range(0, 30_000).Select(MadeUp)).ToArray();

    private static readonly double[] Cumulative = Zipf(Words.Length, 1.07);

    private static string MadeUp(int n)
    {
        var chars = new List<char>();
        const string consonants = "bcdfghjklmnprstvz", vowels = "aeiou";
        for (n += 1; n > 0; n /= 85) { chars.Add(consonants[n % 17]); chars.Add(vowels[(n / 17) % 5]); }
        return new string(chars.ToArray());
    }

    private static double[] Zipf(int n, double s)
    {
        var cumulative = new double[n];
        var total = 0.0;
        for (var k = 0; k < n; k++) cumulative[k] = total += 1 / Math.Pow(k + 1, s);
        for (var k = 0; k < n; k++) cumulative[k] /= total;
        return cumulative;
    }

    private static string Word(Random random)
    {
        var i = Array.BinarySearch(Cumulative, random.NextDouble());
        return Words[Math.Min(i < 0 ? ~i : i, Words.Length - 1)];
    }

    public static Highlight Passage(Random random, int i, string prefix = "") => new()
    {
        Text = $"{prefix}{string.Join(' ', Enumerable.Range(0, 12 + random.Next(28)).Select(_ => Word(random)))} {i}.",
        Source = new HighlightSource($"Book {random.Next(200):000}"),
        Location = random.Next(10) == 0 ? null : new HighlightLocation(Offset: random.Next(1, 9000)),
        HighlightedAt = random.Next(5) == 0 ? null : new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 2_000_000)),
    };

    public static async Task BuildAsync(IServiceProvider services, string userId, int size, int otherUsers)
    {
        var random = new Random(19);
        var now = DateTimeOffset.UtcNow.AddDays(-1);
        string model;
        await using (var scope = services.CreateAsyncScope())
        {
            model = scope.ServiceProvider.GetRequiredService<EmbeddingStore>().ModelId;
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var others = Enumerable.Range(0, otherUsers).Select(i => new HatchUser
            {
                UserName = $"other{i}@example.com", NormalizedUserName = $"OTHER{i}@EXAMPLE.COM",
                Email = $"other{i}@example.com", NormalizedEmail = $"OTHER{i}@EXAMPLE.COM", SecurityStamp = Guid.NewGuid().ToString(),
            }).ToList();
            db.Users.AddRange(others);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            // The other readers: 20 highlights each, with vectors, so every query has other users' rows to skip.
            foreach (var batch in others.Chunk(100))
                await InsertAsync(db, batch.SelectMany(u => Enumerable.Range(0, 20).Select(i => (u.Id, Passage(random, i)))).ToArray(), model, now);
        }
        for (var start = 0; start < size; start += 5000)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var count = Math.Min(5000, size - start);
            // A minute between batches, as a library's vectors are stored by the embedding job over minutes at the
            // least: the block's append re-reads the last 30 seconds' vectors, which is then one batch, not all of them.
            await InsertAsync(db, Enumerable.Range(start, count).Select(i => (userId, Passage(random, i))).ToArray(), model, now.AddMinutes(start / 5000));
        }
        // The rows went in directly, past the import that would have refreshed the planner's statistics after each batch.
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchDbContext>().RefreshPlannerStatisticsAsync();
    }

    private static async Task InsertAsync(HatchDbContext db, (string UserId, Highlight Highlight)[] rows, string model, DateTimeOffset at)
    {
        var stored = rows.DistinctBy(r => (r.UserId, r.Highlight.ContentHash)).Select(r => StoredHighlight.From(r.UserId, r.Highlight, at)).ToArray();
        foreach (var h in stored) h.DuplicateCheckedAt = at;
        db.Highlights.AddRange(stored);
        db.HighlightEmbeddings.AddRange(stored.Select(h => HighlightEmbedding.Create(h.Id, model, Hashed384Generator.Embed(h.Text), at)));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
    }

    /// <summary>The reader with the most highlights, when the database already holds a library of at least 1,000.</summary>
    public static async Task<string?> LargestReaderAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var largest = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Highlights
            .GroupBy(h => h.UserId).Select(g => new { UserId = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).FirstOrDefaultAsync();
        return largest is { Count: >= 1000 } ? largest.UserId : null;
    }

    public static async Task<List<Guid>> SomeIdsAsync(IServiceProvider services, string userId, int count, Random random)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var ids = await db.HighlightsOf(userId).OrderBy(h => h.ImportedAt).ThenBy(h => h.Id).Select(h => h.Id).Take(5000).ToListAsync();
        return Enumerable.Range(0, count).Select(_ => ids[random.Next(ids.Count)]).ToList();
    }

    /// <summary>
    /// Adds <paramref name="count"/> highlights (a tenth near copies of existing ones: one more word) with their
    /// vectors and runs the near-duplicate check; vectors are computed before the clock starts. The old check is timed
    /// apart (<see cref="OldCheckAsync"/>).
    /// </summary>
    public static async Task<(double TotalMs, double StoreMs, double VectorsMs, double CheckMs, int Found, IReadOnlyList<Guid> Added)> ImportAsync(
        IServiceProvider services, string userId, int count, Random random)
    {
        List<string> existing;
        await using (var scope = services.CreateAsyncScope())
            existing = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().HighlightsOf(userId)
                .OrderBy(h => h.Id).Select(h => h.Text).Take(count / 10).ToListAsync();
        var highlights = Enumerable.Range(0, count).Select(i => i < existing.Count
            ? new Highlight { Text = existing[i].Replace(".", " indeed.", StringComparison.Ordinal), Source = new HighlightSource("Later book") }
            : Passage(random, i, "later ")).ToArray();
        var vectors = highlights.ToDictionary(h => h.ContentHash, h => Hashed384Generator.Embed(h.Text));

        var clock = Stopwatch.StartNew();
        await using var work = services.CreateAsyncScope();
        var sp = work.ServiceProvider;
        var added = await sp.GetRequiredService<HighlightLibrary>().AddAsync(userId, highlights);
        var storeMs = clock.Elapsed.TotalMilliseconds;
        var db = sp.GetRequiredService<HatchDbContext>();
        var hashes = new Dictionary<Guid, string>();
        foreach (var chunk in added.AddedIds.Chunk(500))
            foreach (var h in await db.HighlightsOf(userId).Where(h => chunk.Contains(h.Id)).Select(h => new { h.Id, h.ContentHash }).ToListAsync())
                hashes[h.Id] = h.ContentHash;
        var store = sp.GetRequiredService<EmbeddingStore>();
        foreach (var chunk in added.AddedIds.Chunk(1000))
            await store.SaveAsync(chunk.Select(id => (id, vectors[hashes[id]])).ToArray());
        clock.Stop();
        var vectorsMs = clock.Elapsed.TotalMilliseconds - storeMs;

        clock.Start();
        var checkClock = Stopwatch.StartNew();
        var result = await sp.GetRequiredService<NearDuplicateChecker>().CheckAsync(userId, added.AddedIds);
        return (clock.Elapsed.TotalMilliseconds, storeMs, vectorsMs, checkClock.Elapsed.TotalMilliseconds, result.Found.Count, added.AddedIds);
    }

    /// <summary>
    /// The check as it was, on some of an import's highlights: every vector and text of the library read, then every
    /// new one against all of them. It reads no checked mark, so it can run after the new check has set them.
    /// </summary>
    public static async Task<double> OldCheckAsync(IServiceProvider services, string userId, HashSet<Guid> incomingIds)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var clock = Stopwatch.StartNew();
        var db = sp.GetRequiredService<HatchDbContext>();
        var library = await sp.GetRequiredService<EmbeddingStore>().LibraryAsync(userId);
        var importedAt = (await db.HighlightsOf(userId).AsNoTracking().Select(h => new { h.Id, h.ImportedAt }).ToListAsync())
            .ToDictionary(h => h.Id, h => h.ImportedAt);
        var incoming = library.Where(h => incomingIds.Contains(h.Id)).OrderBy(h => h.Id).ToArray();
        var key = importedAt[incoming[0].Id];
        var before = library.Where(h => importedAt[h.Id] < key).ToArray();
        NearDuplicates.Find(incoming, before, sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value.NearDuplicateThreshold);
        return clock.Elapsed.TotalMilliseconds;
    }
}
