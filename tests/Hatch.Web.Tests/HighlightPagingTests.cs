using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

public sealed class PostgresHighlightPagingTests(PostgresAppFactory factory) : HighlightPagingTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteHighlightPagingTests(SqliteAppFactory factory) : HighlightPagingTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>The library pages by cursor in reading order: a reader walking it while an import lands sees no highlight twice and misses none.</summary>
public abstract class HighlightPagingTests(HatchAppFactory factory)
{
    public sealed record Row(Guid Id, string Text, string Source);
    public sealed record Page(List<Row> Items, int Total, string? Next);

    /// <summary>Highlights over four books; some with a position and a date, some with neither (they sort last in their book).</summary>
    private static Highlight[] Books(string prefix, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new Highlight
        {
            Text = $"{prefix} passage {i} of the walk through the library.",
            Source = new HighlightSource($"Book {(char)('A' + i % 4)}"),
            Location = i % 5 == 0 ? null : new HighlightLocation(Offset: random.Next(1, 40)),
            HighlightedAt = i % 3 == 0 ? null : new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 5000)),
        }).ToArray();
    }

    private async Task AddAsync(string userId, Highlight[] highlights)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HighlightLibrary>().AddAsync(userId, highlights);
    }

    [Fact]
    public async Task WalkingTheLibraryWhileAnImportLandsShowsEachHighlightOnceInReadingOrder()
    {
        var (client, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        await AddAsync(userId, Books("first", 230, seed: 1));

        var seen = new List<Row>();
        string? next = null;
        var pages = 0;
        do
        {
            var url = "/api/highlights?pageSize=40" + (next is null ? "" : $"&after={Uri.EscapeDataString(next)}");
            var page = (await client.GetFromJsonAsync<Page>(url, SemanticWebTests.Json))!;
            seen.AddRange(page.Items);
            next = page.Next;
            // After the second page, 120 more land in every book: before and after the cursor alike.
            if (++pages == 2) await AddAsync(userId, Books("second", 120, seed: 2));
        } while (next is not null && pages < 50);

        Assert.Equal(seen.Count, seen.Select(r => r.Id).Distinct().Count());
        Assert.Equal(230, seen.Count(r => r.Text.StartsWith("first", StringComparison.Ordinal)));
        // Only the new highlights that sort after the cursor of page two can appear; each at most once, checked above.
        Assert.InRange(seen.Count(r => r.Text.StartsWith("second", StringComparison.Ordinal)), 1, 119);
        Assert.Equal(seen.Select(r => r.Source).Order(StringComparer.Ordinal), seen.Select(r => r.Source));
    }

    [Fact]
    public async Task ACursorThatIsNotOneTheServiceWroteIsAClearError()
    {
        var (client, _) = await factory.NewUserAsync();
        var response = await client.GetAsync("/api/highlights?after=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("after must be the 'next' value of a previous page", await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The first page and one far in are read in index order, so a page of a 100,000-highlight library costs what a
    /// page of a small one costs. PostgreSQL is told sorting and sequential scans are off: it still sorts (at a huge
    /// cost) when no index gives the order, so a plan without a Sort proves the index serves it.
    /// </summary>
    [Fact]
    public async Task EveryPageIsReadFromTheReadingOrderIndexWithoutSortingTheLibrary()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var mine = db.HighlightsOf("someone").AsNoTracking();
        var cursor = new ReadingCursor("Book B", 12, new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), Guid.NewGuid());
        foreach (var page in new[] { mine.InReadingOrder().Take(101), mine.After(cursor).InReadingOrder().Take(101) })
        {
            var plan = await PlanAsync(db, page);
            Assert.Contains(ReadingOrderIndex.Name, plan);
            Assert.DoesNotContain(db.Database.IsNpgsql() ? "Sort" : "TEMP B-TREE", plan);
        }
    }

    /// <summary>The database's plan for <paramref name="query"/>, one line per step (PostgreSQL with sorts and sequential scans off).</summary>
    internal static async Task<string> PlanAsync<T>(HatchDbContext db, IQueryable<T> query)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            var npgsql = db.Database.IsNpgsql();
            if (npgsql) await db.Database.ExecuteSqlRawAsync("SET enable_sort = off; SET enable_seqscan = off;");
            await using var command = query.CreateDbCommand();
            command.CommandText = (npgsql ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) lines.Add(reader.GetString(npgsql ? 0 : 3));
            if (npgsql) await db.Database.ExecuteSqlRawAsync("RESET enable_sort; RESET enable_seqscan;");
            return string.Join('\n', lines);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
