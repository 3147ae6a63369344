using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Digests;
using Hatch.Embeddings;
using Hatch.Features;
using Hatch.Features.Digests;
using Hatch.Llm;
using Hatch.ServiceDefaults;
using Hatch.Writing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

// Creates N readers with digest settings in a fresh PostgreSQL database (binary COPY), D of them due, and measures one
// digest dispatcher pass that finds the due readers by the next_run_at index, plans and inserts their digests, moves
// next_run_at on and enqueues one Hangfire job per digest (Hangfire.PostgreSql on the same server). Prints the due
// query's EXPLAIN (ANALYZE) first, to show the index at work.
//
//   HATCH_BENCH_PG="Host=127.0.0.1;Port=45432;Username=postgres" dotnet run -c Release --project bench/Hatch.DigestBench -- [readers] [due] [keep]
namespace Hatch.DigestBench;

public static class DigestBench
{
    public static async Task<int> Main(string[] args)
    {
        var readers = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        var due = args.Length > 1 ? int.Parse(args[1]) : 10_000;
        var keep = args.Length > 2 && args[2] == "keep";
        var server = Environment.GetEnvironmentVariable("HATCH_BENCH_PG") ?? Environment.GetEnvironmentVariable("HATCH_TEST_PG")
            ?? throw new InvalidOperationException("Set HATCH_BENCH_PG (or HATCH_TEST_PG) to a PostgreSQL connection string without Database.");
        var database = $"hatch_digestbench_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, MaxPoolSize = 100 }.ConnectionString;

        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Hatch"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Hatch.Core.Digests"] = "Information",
        });
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        builder.AddHatchData();
        builder.AddHatchFeatures();
        // Storage and client only: this process enqueues, no worker runs the digests.
        builder.Services.AddSingleton<JobStorage>(sp => JobStorageSetup.Create(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        builder.Services.AddHangfire(c => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings());
        using var host = builder.Build();

        try
        {
            var clock = Stopwatch.StartNew();
            await using (var scope = host.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<HatchDatabase>().MigrateAsync();
            _ = host.Services.GetRequiredService<JobStorage>(); // creates the hangfire schema outside the measured pass
            Console.WriteLine($"database {database}: migrated in {clock.Elapsed.TotalSeconds:F1} s");

            var now = DateTimeOffset.UtcNow;
            clock.Restart();
            await SeedAsync(connectionString, readers, due, now);
            Console.WriteLine($"seeded {readers:N0} readers with digest settings ({due:N0} due) by binary COPY in {clock.Elapsed.TotalSeconds:F1} s");

            await ExplainAsync(connectionString, now, host.Services.GetRequiredService<IOptions<DigestOptions>>().Value.BatchSize);

            clock.Restart();
            DispatchResult result;
            await using (var scope = host.Services.CreateAsyncScope())
                result = await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
            var seconds = clock.Elapsed.TotalSeconds;

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var digests = await ScalarAsync(connection, "SELECT count(*) FROM digests");
            var withJob = await ScalarAsync(connection, "SELECT count(*) FROM digests WHERE \"JobId\" IS NOT NULL");
            var jobs = await ScalarAsync(connection, $"SELECT count(*) FROM {JobStorageSetup.SchemaName}.job");
            var stillDue = await ScalarAsync(connection, "SELECT count(*) FROM digest_settings WHERE \"Enabled\" AND \"NextRunAt\" <= now()");
            Console.WriteLine();
            Console.WriteLine($"one dispatcher pass: {result.Due:N0} due, {result.Planned:N0} digests planned, {result.Enqueued:N0} jobs enqueued in {seconds:F2} s ({result.Enqueued / seconds:N0} digests/s)");
            Console.WriteLine($"check: {digests:N0} digest rows, {withJob:N0} with a job id, {jobs:N0} Hangfire jobs, {stillDue:N0} readers still due");
            var ok = result.Enqueued == due && digests == due && withJob == due && stillDue == 0;
            Console.WriteLine(ok ? (seconds < 10 ? "PASS: under 10 s" : "SLOW: over the 10 s target") : "FAIL: counts do not match");
            return ok ? 0 : 1;
        }
        finally
        {
            if (!keep)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Users and their settings by binary COPY: the due ones a few minutes late, the rest spread over the next week.</summary>
    private static async Task SeedAsync(string connectionString, int readers, int due, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var ids = Enumerable.Range(0, readers).Select(i => $"bench-{i:D7}").ToArray();

        await using (var users = await connection.BeginBinaryImportAsync(
            "COPY users (\"Id\", \"UserName\", \"NormalizedUserName\", \"Email\", \"NormalizedEmail\", \"EmailConfirmed\", \"SecurityStamp\", " +
            "\"ConcurrencyStamp\", \"PhoneNumberConfirmed\", \"TwoFactorEnabled\", \"LockoutEnabled\", \"AccessFailedCount\") FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in ids)
            {
                var email = $"{id}@bench.example";
                await users.StartRowAsync();
                await users.WriteAsync(id, NpgsqlDbType.Text);
                await users.WriteAsync(email, NpgsqlDbType.Varchar);
                await users.WriteAsync(email.ToUpperInvariant(), NpgsqlDbType.Varchar);
                await users.WriteAsync(email, NpgsqlDbType.Varchar);
                await users.WriteAsync(email.ToUpperInvariant(), NpgsqlDbType.Varchar);
                await users.WriteAsync(true, NpgsqlDbType.Boolean);
                await users.WriteAsync(Guid.NewGuid().ToString("N"), NpgsqlDbType.Text);
                await users.WriteAsync(Guid.NewGuid().ToString(), NpgsqlDbType.Text);
                await users.WriteAsync(false, NpgsqlDbType.Boolean);
                await users.WriteAsync(false, NpgsqlDbType.Boolean);
                await users.WriteAsync(true, NpgsqlDbType.Boolean);
                await users.WriteAsync(0, NpgsqlDbType.Integer);
            }
            await users.CompleteAsync();
        }

        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        string[] zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
        await using (var settings = await connection.BeginBinaryImportAsync(
            "COPY digest_settings (\"UserId\", \"SettingsJson\", \"Enabled\", \"EnabledAt\", \"NextRunAt\", \"LastPeriodEnd\", \"UpdatedAt\") FROM STDIN (FORMAT BINARY)"))
        {
            var random = new Random(42);
            for (var i = 0; i < readers; i++)
            {
                var s = new DigestSettings
                {
                    Enabled = true,
                    Cadence = i % 3 == 0 ? DigestCadence.Daily : DigestCadence.Weekly,
                    LocalTime = new TimeOnly(random.Next(6, 22), random.Next(0, 4) * 15),
                    DayOfWeek = (DayOfWeek)(i % 7),
                    TimeZone = zones[i % zones.Length],
                };
                // Every 10th reader is due (so due readers are spread through the table, not packed at its start).
                var isDue = i % (readers / Math.Max(1, due)) == 0 && i / (readers / Math.Max(1, due)) < due;
                var nextRunAt = isDue ? now.AddSeconds(-random.Next(1, 600)) : now.AddMinutes(random.Next(5, 7 * 24 * 60));
                await settings.StartRowAsync();
                await settings.WriteAsync(ids[i], NpgsqlDbType.Text);
                await settings.WriteAsync(JsonSerializer.Serialize(s, json), NpgsqlDbType.Text);
                await settings.WriteAsync(true, NpgsqlDbType.Boolean);
                await settings.WriteAsync(now.AddDays(-30).UtcDateTime, NpgsqlDbType.TimestampTz);
                await settings.WriteAsync(nextRunAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await settings.WriteAsync(now.AddDays(-7).UtcDateTime, NpgsqlDbType.TimestampTz);
                await settings.WriteAsync(now.AddDays(-30).UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await settings.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE users; ANALYZE digest_settings;", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The dispatcher's due query as it runs (in a transaction rolled back, since it locks rows).</summary>
    private static async Task ExplainAsync(string connectionString, DateTimeOffset now, int batch)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var explain = new NpgsqlCommand("""
            EXPLAIN (ANALYZE, BUFFERS)
            SELECT * FROM digest_settings
            WHERE "Enabled" AND "NextRunAt" <= @now
            ORDER BY "NextRunAt"
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, connection, transaction);
        explain.Parameters.AddWithValue("now", now.UtcDateTime);
        explain.Parameters.AddWithValue("batch", batch);
        Console.WriteLine($"EXPLAIN (ANALYZE) of the due query (batch {batch}):");
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                Console.WriteLine("  " + reader.GetString(0));
        await transaction.RollbackAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
