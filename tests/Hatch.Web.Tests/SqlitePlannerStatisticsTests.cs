using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>
/// SQLite plans by its statistics only once it has some. Related highlights, search results and draft views read a
/// few highlights of one user by id; without statistics SQLite walks the user's index over the whole library to find
/// them instead of looking the ids up, a cost that grows with the library.
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
            Assert.Contains("(Id=?)", plan);
            Assert.DoesNotContain("UserId=?", plan);
        }
    }

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
