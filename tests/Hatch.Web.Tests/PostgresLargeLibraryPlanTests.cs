using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>
/// One reader holds most of the table (a heavy Kindle user among many light ones). The app's statements are prepared
/// (Max Auto Prepare), and from the sixth run PostgreSQL may plan a prepared statement once for any values, pricing
/// "this user's rows" at the average library: at 100,000 highlights that plan walked the heavy reader's whole library
/// to find an import's 500 content hashes (1.7 s a look-up). The app's connections keep planning for the values
/// instead (<see cref="DatabaseOptions.PreparePostgres"/>).
/// </summary>
public sealed class PostgresLargeLibraryPlanTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    // The statement EF Core sends for HatchDbContext.AddNewHighlightsAsync's look-up of known content hashes.
    private const int HeavyLibrary = 20_000, LightReaders = 999;

    private const string KnownHashes = """SELECT h."ContentHash" FROM highlights AS h WHERE h."UserId" = $1 AND h."ContentHash" = ANY ($2)""";

    [Fact]
    public async Task AnImportIntoTheLargestLibraryLooksItsHashesUpEvenAfterTheStatementIsPrepared()
    {
        var (_, email) = await factory.NewUserAsync();
        var heavy = await factory.UserIdAsync(email);
        string appConnection;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            appConnection = db.Database.GetConnectionString()!;
            // 999 light readers with 20 highlights each, as in bench/Hatch.LibraryBench.
            var light = Enumerable.Range(0, LightReaders).Select(i => new HatchUser
            {
                UserName = $"light{i}-{Guid.NewGuid():N}@example.com", Email = $"light{i}@example.com", SecurityStamp = Guid.NewGuid().ToString(),
            }).ToList();
            db.Users.AddRange(light);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            // Every highlight is a copy, made in SQL, of one stored the usual way (EF would take minutes for 120,000).
            var template = StoredHighlight.From(heavy, Passage("template"), DateTimeOffset.UtcNow);
            db.Highlights.Add(template);
            await db.SaveChangesAsync();
            var columns = await db.Database.SqlQueryRaw<string>(
                """SELECT column_name AS "Value" FROM information_schema.columns WHERE table_name = 'highlights' AND is_generated = 'NEVER' AND column_name NOT IN ('Id', 'ContentHash', 'UserId')""").ToListAsync();
            var copied = string.Join(", ", columns.Select(c => $"t.\"{c}\""));
            var named = string.Join(", ", columns.Select(c => $"\"{c}\""));
            // Column names from the catalogue, Guids and numbers: nothing here comes from outside.
#pragma warning disable EF1002
            await db.Database.ExecuteSqlRawAsync(
                $"""INSERT INTO highlights ("Id", "ContentHash", "UserId", {named}) SELECT gen_random_uuid(), md5(n::text) || md5('heavy' || n), t."UserId", {copied} FROM highlights AS t, generate_series(1, {HeavyLibrary - 1}) AS n WHERE t."Id" = '{template.Id}'""");
            await db.Database.ExecuteSqlRawAsync(
                $"""INSERT INTO highlights ("Id", "ContentHash", "UserId", {named}) SELECT gen_random_uuid(), md5(u."Id" || n), u."Id", {copied} FROM highlights AS t, users AS u, generate_series(1, 20) AS n WHERE t."Id" = '{template.Id}' AND u."Id" IN ({string.Join(", ", light.Select(u => $"'{u.Id}'"))})""");
#pragma warning restore EF1002
            await db.Database.ExecuteSqlRawAsync("ANALYZE highlights");
        }
        var incoming = Enumerable.Range(0, 500).Select(i => Passage($"incoming {i}").ContentHash).ToArray();

        // The app's own connection string: even after six runs the plan is made for these values (they show in it
        // as constants), so PostgreSQL plans knowing whose library it is and how many hashes it looks for.
        var app = await PlanAfterSixRunsAsync(appConnection, heavy, incoming);
        Assert.True(!app.Contains("$1", StringComparison.Ordinal) && app.Contains(heavy, StringComparison.Ordinal) && app.Contains(incoming[0], StringComparison.Ordinal), app);

        // The same statement on a connection as PostgreSQL comes: from the sixth run one plan serves any values.
        // (That plan can walk a heavy reader's whole library, 1.7 s a look-up at 100,000 highlights against 3 ms:
        // bench/README.md, "Fifth round".)
        var plain = new NpgsqlConnectionStringBuilder(appConnection) { Options = null }.ConnectionString;
        var generic = await PlanAfterSixRunsAsync(plain, heavy, incoming);
        Assert.True(generic.Contains("\"UserId\" = $1", StringComparison.Ordinal) && !generic.Contains(incoming[0], StringComparison.Ordinal), generic);
    }

    private static Highlight Passage(string text) => new() { Text = $"A passage, {text}.", Source = new HighlightSource("A book") };

    /// <summary>Runs the prepared statement six times (PostgreSQL considers a generic plan from the sixth), then explains the next run.</summary>
    private static async Task<string> PlanAfterSixRunsAsync(string connectionString, string userId, string[] hashes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var prepare = new NpgsqlCommand($"PREPARE known_hashes(text, text[]) AS {KnownHashes}", connection))
            await prepare.ExecuteNonQueryAsync();
        // EXECUTE takes no bind parameters; a GUID and hex hashes need no escaping beyond the quotes.
        var arguments = $"'{userId}', ARRAY[{string.Join(", ", hashes.Select(h => $"'{h}'"))}]";
        for (var run = 0; run < 6; run++)
        {
            await using var execute = new NpgsqlCommand($"EXECUTE known_hashes({arguments})", connection);
            await using var reader = await execute.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        }
        await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, COSTS OFF) EXECUTE known_hashes({arguments})", connection);
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }
}
