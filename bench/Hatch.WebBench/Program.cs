using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hatch.Data;
using Hatch.Domain.Requests;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Submits N hatch requests through the HTTP API of the app running in process (extractive writer, PostgreSQL,
// Hangfire.PostgreSql) and reports end-to-end requests/s and submit→Succeeded latency, next to the rate of plain
// Hangfire no-op jobs on the same database and worker count, measured in the same run.
//
//   HATCH_BENCH_PG="Host=127.0.0.1;Port=5432;Username=postgres" dotnet run -c Release --project bench/Hatch.WebBench -- [requests] [workers]
namespace Hatch.WebBench;

public static class WebBench
{
    public static async Task<int> Main(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var workers = args.Length > 1 ? int.Parse(args[1]) : 10;
        var server = Environment.GetEnvironmentVariable("HATCH_BENCH_PG") ?? Environment.GetEnvironmentVariable("HATCH_TEST_PG")
            ?? throw new InvalidOperationException("Set HATCH_BENCH_PG (or HATCH_TEST_PG) to a PostgreSQL connection string without Database.");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = $"hatch_bench_{Guid.NewGuid():N}", MaxPoolSize = 200 }.ConnectionString;

        // WebApplicationFactory finds the app's content root by this variable outside a test project.
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "HatchService.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_HATCH_WEB", Path.Combine(root, "src", "Hatch.Web"));

        // The app first, so its migrations create the database.
        await using var app = new BenchFactory(connectionString, workers);
        using var client = app.CreateClient();
        var email = $"bench{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = "Passw0rd!x" })).EnsureSuccessStatusCode();
        var login = await (await client.PostAsJsonAsync("/api/auth/login", new { email, password = "Passw0rd!x" })).Content.ReadFromJsonAsync<Token>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login!.AccessToken);
        (await client.PostAsJsonAsync("/api/highlights", Corpus.Highlights)).EnsureSuccessStatusCode();

        var noop = NoopJobs.Measure(connectionString, requests, workers);
        Console.WriteLine($"Hangfire no-op:  {requests} jobs in {noop.TotalSeconds:0.00} s = {requests / noop.TotalSeconds:0.0} jobs/s ({workers} workers, Hangfire.PostgreSql)");

        // Warm up the path once (JIT, connection pools) so the figure is the steady state.
        await SubmitAsync(client);
        await WaitAllAsync(app, 1);

        var submitted = new System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset>();
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow;
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            var at = DateTimeOffset.UtcNow;
            submitted[await SubmitAsync(client)] = at;
        });
        var submitSeconds = clock.Elapsed.TotalSeconds;
        var finished = await WaitAllAsync(app, requests + 1);
        // From the first submit to the last request's FinishedAt, so the poll interval adds nothing to the figure.
        var total = (finished.Values.Max() - start).TotalSeconds;

        var latencies = submitted.Select(s => (finished[s.Key] - s.Value).TotalMilliseconds).Order().ToArray();
        double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Length) - 1, 0, latencies.Length - 1)];
        Console.WriteLine($"Hatch end to end: {requests} requests in {total:0.00} s = {requests / total:0.0} requests/s (all submitted in {submitSeconds:0.00} s)");
        Console.WriteLine($"submit→Succeeded: p50 {Percentile(0.50):0} ms, p99 {Percentile(0.99):0} ms, max {latencies[^1]:0} ms");
        Console.WriteLine($"ratio: Hatch {requests / total:0.0} / no-op {requests / noop.TotalSeconds:0.0} = {(requests / total) / (requests / noop.TotalSeconds):0.00} (target ≥ 0.5)");

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Database.EnsureDeletedAsync();
        return 0;

        static async Task<Guid> SubmitAsync(HttpClient client)
        {
            var response = await client.PostAsJsonAsync("/api/hatches", new { style = "briefing", length = "short" });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
        }

        static async Task<Dictionary<Guid, DateTimeOffset>> WaitAllAsync(WebApplicationFactory<Program> app, int expected)
        {
            // Polls with two cheap counts and reads the finish times once at the end, so the harness's own queries do not
            // compete with the app for the two cores (reading every finished row every 100 ms did).
            while (true)
            {
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
                var failed = await db.HatchRequests.CountAsync(r => r.Status == RequestStatus.Failed);
                if (failed > 0) throw new InvalidOperationException($"{failed} request(s) failed: {await db.HatchRequests.Where(r => r.Error != null).Select(r => r.Error).FirstAsync()}");
                if (await db.HatchRequests.CountAsync(r => r.Status == RequestStatus.Succeeded) >= expected)
                {
                    var done = await db.HatchRequests.Where(r => r.Status == RequestStatus.Succeeded).Select(r => new { r.Id, r.FinishedAt }).ToListAsync();
                    return done.ToDictionary(d => d.Id, d => d.FinishedAt!.Value);
                }
                await Task.Delay(250);
            }
        }
    }
}

internal sealed record Token(string AccessToken);
internal sealed record Accepted(Guid Id, string Status);

internal sealed class BenchFactory(string connectionString, int workers) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Hatch", connectionString);
        builder.UseSetting("Hatch:Jobs:WorkerCount", workers.ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Hangfire", "Error");
    }
}

/// <summary>The floor: Hangfire itself on the same database, with the same workers, running jobs that do nothing.</summary>
public static class NoopJobs
{
    private static int _done;

    public static void Nothing() => Interlocked.Increment(ref _done);

    public static TimeSpan Measure(string connectionString, int count, int workers)
    {
        GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire_noop", EnableLongPolling = true, UseSlidingInvisibilityTimeout = true, PrepareSchemaIfNecessary = true };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        var client = new BackgroundJobClient(storage);
        using var serverInstance = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage);
        client.Enqueue(() => Nothing()); // warm-up
        SpinWait.SpinUntil(() => Volatile.Read(ref _done) >= 1, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => client.Enqueue(() => Nothing()));
        while (Volatile.Read(ref _done) < count + 1) Thread.Sleep(10);
        return clock.Elapsed;
    }
}

internal static class Corpus
{
    private static readonly string[] Sentences = [.. PracticePassages.All];

    public static readonly object[] Highlights = Enumerable.Range(0, 12).Select(i => (object)new
    {
        text = Sentences[i % Sentences.Length] + (i >= Sentences.Length ? " This holds across every field studied." : ""),
        source = i % 3 == 0 ? "Peak" : i % 3 == 1 ? "Deep Work" : "Atomic Habits",
        author = "Various",
        tags = new[] { i % 2 == 0 ? "learning" : "work" },
    }).ToArray();
}
