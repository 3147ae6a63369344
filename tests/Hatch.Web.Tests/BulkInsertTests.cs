using Hatch.Data;
using Hatch.Domain.Highlights;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

public sealed class PostgresBulkInsertTests(PostgresAppFactory factory) : BulkInsertTests(factory), IClassFixture<PostgresAppFactory>;

public sealed class SqliteBulkInsertTests(SqliteAppFactory factory) : BulkInsertTests(factory), IClassFixture<SqliteAppFactory>;

/// <summary>
/// New highlights are written without EF's change tracker (COPY on PostgreSQL, one prepared INSERT on SQLite); what
/// is read back through EF must be exactly what SaveChanges would have stored, field by field.
/// </summary>
public abstract class BulkInsertTests(HatchAppFactory factory)
{
    private static Highlight[] Varied(string tag) =>
    [
        new()
        {
            Text = $"Every field set {tag}: “quotes”, ünïcödé, an apostrophe's and a \"double\" quote.", Note = "A note; with, punctuation.",
            Source = new HighlightSource("A Book: Its Subtitle", "An Author", "https://example.com/a?b=c&d=e"),
            Location = new HighlightLocation("12", "345-347", 678), Tags = ["Focus", "deep work"], Color = "yellow",
            HighlightedAt = new DateTimeOffset(2024, 3, 5, 21, 7, 9, TimeSpan.FromHours(2)).AddTicks(1234),
            HighlightedAtIsLocal = true, TruncatedByDevice = true,
        },
        new() { Text = $"Only what is required {tag}.", Source = new HighlightSource("Untitled") },
    ];

    [Fact]
    public async Task NewHighlightsReadBackExactlyAsSaveChangesStoresThemAndDuplicatesAreSkipped()
    {
        var bulkUser = await UserAsync();
        var trackedUser = await UserAsync();
        var now = new DateTimeOffset(2026, 12, 3, 10, 11, 12, TimeSpan.Zero).AddTicks(5678);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();

        var stored = await db.AddNewHighlightsAsync(bulkUser, Varied("one"), now, default);
        var again = await db.AddNewHighlightsAsync(bulkUser, [.. Varied("one"), .. Varied("two")], now, default);
        db.Highlights.AddRange(Varied("one").Concat(Varied("two")).Select(h => StoredHighlight.From(trackedUser, h, now)));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        Assert.Equal(2, stored.Count);
        Assert.Equal(2, again.Count); // the first two were in the library already
        var bulk = await db.HighlightsOf(bulkUser).AsNoTracking().ToDictionaryAsync(h => h.ContentHash);
        var tracked = await db.HighlightsOf(trackedUser).AsNoTracking().ToDictionaryAsync(h => h.ContentHash);
        Assert.Equal(4, bulk.Count);
        Assert.Equal(tracked.Keys.Order(), bulk.Keys.Order());
        Assert.Equal(stored.Concat(again).Select(h => h.Id).Order(), bulk.Values.Select(h => h.Id).Order());
        var compared = db.Model.FindEntityType(typeof(StoredHighlight))!.GetProperties()
            .Where(p => p.Name is not (nameof(StoredHighlight.Id) or nameof(StoredHighlight.UserId))).ToArray();
        Assert.Contains(compared, p => p.Name == nameof(StoredHighlight.HighlightedAt));
        foreach (var (hash, expected) in tracked)
        foreach (var property in compared)
        {
            var wanted = property.PropertyInfo!.GetValue(expected);
            var got = property.PropertyInfo.GetValue(bulk[hash]);
            Assert.True(Equals(wanted, got), $"{property.Name}: '{wanted}' through SaveChanges, '{got}' through the bulk insert");
        }
        // The full-text index is kept by the database's own triggers, so the new rows are searchable at once.
        Assert.Equal(2, (await db.SearchAsync(bulkUser, "apostrophe punctuation", 10, default)).Count);
    }

    private async Task<string> UserAsync() => await factory.UserIdAsync((await factory.NewUserAsync()).Email);
}
