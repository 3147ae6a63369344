using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>
/// Related highlights, search results and draft views read a few highlights of one user by id. SQLite must look
/// those ids up (by the key, or by the user and id together), never walk the user's index over the whole library, a
/// cost that grows with the library: whether or not it has statistics, on every pooled connection, and when its
/// statistics say readers hold few highlights each while this one holds many.
/// </summary>
public sealed class SqlitePlannerStatisticsTests(SqliteAppFactory factory) : IClassFixture<SqliteAppFactory>
{
    [Fact]
    public async Task AfterAnImportAFewHighlightsOfALargeLibraryAreReadByTheirIdsOnEveryPooledConnection()
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        // Requests before the import leave several connections in the pool, as a running server has.
        await using (var before = new Connections(factory.Services, 3))
            Assert.Equal(3, before.Contexts.Length);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var added = await scope.ServiceProvider.GetRequiredService<HighlightLibrary>().AddAsync(userId, Enumerable.Range(0, 3000)
                .Select(i => new Highlight { Text = $"Passage {i} of a library large enough to make a scan cost.", Source = new HighlightSource($"Book {i % 7}") })
                .ToArray());
            Assert.Equal(3000, added.Imported);
        }

        await using var after = new Connections(factory.Services, 3);
        var few = (await after.Contexts[0].HighlightsOf(userId).OrderBy(h => h.Text).Select(h => h.Id).Take(8).ToListAsync()).ToArray();
        foreach (var db in after.Contexts)
        {
            // The query EmbeddingStore runs for the candidates of a related-highlights call.
            var plan = await HighlightPagingTests.PlanAsync(db, db.HighlightsOf(userId).AsNoTracking().Where(h => few.Contains(h.Id)).Select(h => new { h.Id, h.Text }));
            AssertReadByTheirIds(plan);
        }
    }

    [Fact]
    public async Task AFewHighlightsOfOneLargeLibraryAmongManySmallOnesAreReadByTheirIds()
    {
        // The shape of a real server: many readers with a few highlights each and one with most of them. SQLite's
        // statistics keep only the average per reader (here about ten), so the user's index looks cheaper than
        // thirty lookups by id, and the query walked the large library (the 100,000-highlight bench: 63 ms, not 3).
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            for (var u = 0; u < 300; u++)
            {
                var reader = new HatchUser { UserName = $"small{u}-{Guid.NewGuid():N}@example.com" };
                db.Users.Add(reader);
                for (var i = 0; i < 3; i++)
                    db.Highlights.Add(new StoredHighlight
                    {
                        Id = Guid.CreateVersion7(), UserId = reader.Id, ContentHash = $"{u}-{i}", Text = $"Passage {i} of reader {u}.",
                        SourceTitle = "A book", ImportedAt = DateTimeOffset.UtcNow,
                    });
            }
            await db.SaveChangesAsync();
            var added = await scope.ServiceProvider.GetRequiredService<HighlightLibrary>().AddAsync(userId, Enumerable.Range(0, 2000)
                .Select(i => new Highlight { Text = $"Passage {i} of the one large library.", Source = new HighlightSource($"Book {i % 7}") })
                .ToArray());
            Assert.Equal(2000, added.Imported);
        }

        await using var after = new Connections(factory.Services, 1);
        var db0 = after.Contexts[0];
        var thirty = (await db0.HighlightsOf(userId).OrderBy(h => h.Text).Select(h => h.Id).Take(30).ToListAsync()).ToArray();
        AssertReadByTheirIds(await HighlightPagingTests.PlanAsync(db0,
            db0.HighlightsOf(userId).AsNoTracking().Where(h => thirty.Contains(h.Id)).Select(h => new { h.Id, h.Text })));
    }

    /// <summary>Looked up by id (alone or with the user), never found by walking the user's highlights.</summary>
    private static void AssertReadByTheirIds(string plan) =>
        Assert.Matches(@"\((UserId=\? AND )?Id=\?\)", plan);

    /// <summary>Contexts of separate scopes, each holding its own open connection from the pool until disposed.</summary>
    private sealed class Connections : IAsyncDisposable
    {
        private readonly AsyncServiceScope[] _scopes;

        public Connections(IServiceProvider services, int count)
        {
            _scopes = Enumerable.Range(0, count).Select(_ => services.CreateAsyncScope()).ToArray();
            Contexts = _scopes.Select(s => s.ServiceProvider.GetRequiredService<HatchDbContext>()).ToArray();
            foreach (var db in Contexts) db.Database.OpenConnection();
        }

        public HatchDbContext[] Contexts { get; }

        public async ValueTask DisposeAsync()
        {
            foreach (var db in Contexts) await db.Database.CloseConnectionAsync();
            foreach (var scope in _scopes) await scope.DisposeAsync();
        }
    }
}
