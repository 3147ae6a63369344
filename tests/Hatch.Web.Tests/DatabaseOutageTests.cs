using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>
/// What a PostgreSQL outage leaves behind (the pgrestart drill in scripts/drills.sh does it for real): /health says so
/// while it lasts, and a Hangfire lock orphaned by a cut connection does not hold a request up once the database is back.
/// </summary>
public sealed class DatabaseOutageTests(WebOnlyAppFactory web) : IClassFixture<WebOnlyAppFactory>
{
    private string DatabaseName => new NpgsqlConnectionStringBuilder(web.Database).Database!;

    private async Task AdminAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(web.Database) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task HealthAnswers503WithTheDatabaseUnhealthyWhileItCannotBeReachedAndRecovers()
    {
        var client = web.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        try
        {
            // The database refuses every session, and the ones the app holds are cut: as during a restart.
            await AdminAsync($"ALTER DATABASE \"{DatabaseName}\" ALLOW_CONNECTIONS false");
            await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DatabaseName}' AND pid <> pg_backend_pid()");
            NpgsqlConnection.ClearAllPools();

            var down = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{DatabaseName}\" ALLOW_CONNECTIONS true");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task AJobWhoseStateLockWasOrphanedByACutConnectionStillRuns()
    {
        var (client, _) = await web.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", new[]
        {
            new { text = "Deliberate practice means working at the edge of your ability with immediate feedback.", source = "Peak" },
            new { text = "Feedback loops should be short, so mistakes are noticed while they are still cheap to fix.", source = "Peak" },
        })).EnsureSuccessStatusCode();
        var accepted = await (await client.PostAsJsonAsync("/api/hatches", new { length = "short" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetGuid();

        // The lock row a worker had taken to change this job's state when PostgreSQL went down: its DELETE never ran.
        // Hangfire.PostgreSql's default would honour it for 10 minutes, and the request would wait that long.
        await using (var connection = new NpgsqlConnection(web.Database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                INSERT INTO hangfire.lock (resource, updatecount, acquired)
                SELECT 'hangfire:job:' || "JobId" || ':state-lock', 0, now() - interval '45 seconds' FROM hatch_requests WHERE "Id" = @id
                """, connection);
            command.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        using var worker = WorkerRole.Build(["--role", "worker", "--environment", "Production", $"--ConnectionStrings:Hatch={web.Database}",
            "--Logging:LogLevel:Default=Warning", "--Hatch:Embeddings:Provider=None"]);
        await worker.StartAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            JsonElement status;
            while ((status = await client.GetFromJsonAsync<JsonElement>($"/api/hatches/{id}")).GetProperty("status").GetString() is "Queued" or "Running")
            {
                Assert.True(DateTime.UtcNow < deadline, "still waiting a minute after the worker started: the orphaned lock held the job");
                await Task.Delay(200);
            }
            Assert.Equal("Succeeded", status.GetProperty("status").GetString());
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
