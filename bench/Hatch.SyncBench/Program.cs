using System.Diagnostics;
using Hangfire;
using Hangfire.InMemory;
using Hatch.Data;
using Hatch.Domain.Connections;
using Hatch.Embeddings;
using Hatch.Features;
using Hatch.Features.Sync;
using Hatch.Llm;
using Hatch.TestSupport;
using Hatch.Web.Infrastructure;
using Hatch.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

// Syncs N highlights (50,000 by default) from the fake Readwise on 127.0.0.1 in pages of P (1,000) into a fresh
// library through the real SyncJob: token decrypted, every page fetched over HTTP, mapped, de-duplicated, stored with
// its cursor and id mapping, then a second sync that finds nothing new. Prints the time, pages per second and the
// process's peak memory (VmHWM; the fake server runs in the same process, so it is included).
//
//   dotnet run -c Release --project bench/Hatch.SyncBench -- [highlights] [pageSize]                       # SQLite file
//   HATCH_BENCH_PG="Host=127.0.0.1;Port=54329;Username=postgres;Password=postgres" dotnet run ... # PostgreSQL
namespace Hatch.SyncBench;

public static class SyncBench
{
    public static async Task<int> Main(string[] args)
    {
        var total = args.Length > 0 ? int.Parse(args[0]) : 50_000;
        var pageSize = args.Length > 1 ? int.Parse(args[1]) : 1_000;
        var server = Environment.GetEnvironmentVariable("HATCH_BENCH_PG");
        var folder = Directory.CreateTempSubdirectory("hatch-syncbench-").FullName;
        var database = $"hatch_syncbench_{Guid.NewGuid():N}";
        var connectionString = server is null
            ? $"Data Source={Path.Combine(folder, "hatch.db")}"
            : new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;

        await using var readwise = await FakeReadwiseServer.StartNewAsync();
        readwise.PageSize = pageSize;
        // Books of 50 highlights, with notes, tags and typed locations as a real library has.
        var book = readwise.AddBook("Book 0");
        for (var i = 0; i < total; i++)
        {
            if (i % 50 == 0) book = readwise.AddBook($"Book {i / 50}: on attention and craft", $"Author {i % 97}", $"https://example.com/books/{i / 50}", "reading");
            var n = i;
            readwise.AddHighlight(book, $"Highlight {n}: a sentence about how attention shapes the work that follows, number {n}.", h =>
            {
                h.Note = n % 5 == 0 ? $"note on {n}" : "";
                h.Tags = n % 7 == 0 ? ["craft"] : [];
                h.IsFavorite = n % 11 == 0;
                h.LocationType = n % 2 == 0 ? "location" : "page";
            });
        }

        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Hatch"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Hatch:Embeddings:Provider"] = "None",
            ["Hatch:Sync:Readwise:BaseUrl"] = readwise.BaseUri.ToString(),
        });
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        builder.AddHatchData();
        builder.AddHatchFeatures();
        builder.AddHatchDataProtection();
        // A client only: the embedding jobs a sync enqueues are stored, not run, so the figure is the sync's own.
        builder.Services.AddSingleton<JobStorage>(_ => new InMemoryStorage());
        builder.Services.AddHangfire(c => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings());
        using var host = builder.Build();

        try
        {
            Guid connectionId;
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<HatchDatabase>().MigrateAsync();
                var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
                var user = new HatchUser { UserName = "bench@example.com", Email = "bench@example.com", NormalizedEmail = "BENCH@EXAMPLE.COM", NormalizedUserName = "BENCH@EXAMPLE.COM" };
                db.Users.Add(user);
                var tokens = scope.ServiceProvider.GetRequiredService<IConnectionTokenProtector>();
                var connection = Connection.Create(user.Id, ConnectionServices.Readwise, null, tokens.Protect(readwise.Token), readwise.Token, DateTimeOffset.UtcNow);
                db.Connections.Add(connection);
                await db.SaveChangesAsync();
                connectionId = connection.Id;
            }
            Console.WriteLine($"{(server is null ? "SQLite" : "PostgreSQL")}: {total:N0} highlights in pages of {pageSize:N0} from the fake Readwise at {readwise.BaseUri}");

            var before = Process.GetCurrentProcess().PeakWorkingSet64;
            var clock = Stopwatch.StartNew();
            SyncOutcome? first;
            await using (var scope = host.Services.CreateAsyncScope())
                first = await scope.ServiceProvider.GetRequiredService<SyncJob>().SyncAsync(connectionId);
            var firstSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            SyncOutcome? second;
            await using (var scope = host.Services.CreateAsyncScope())
                second = await scope.ServiceProvider.GetRequiredService<SyncJob>().SyncAsync(connectionId);
            var secondSeconds = clock.Elapsed.TotalSeconds;

            int stored;
            await using (var scope = host.Services.CreateAsyncScope())
                stored = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Highlights.CountAsync();
            var peak = PeakRss();
            Console.WriteLine($"first sync:  {first!.Status}, {first.Pages} pages, {first.Imported:N0} imported in {firstSeconds:F1} s ({first.Imported / firstSeconds:N0} highlights/s, {first.Pages / firstSeconds:F1} pages/s)");
            Console.WriteLine($"second sync: {second!.Status}, {second.Pages} page(s), {second.Imported:N0} imported in {secondSeconds:F2} s");
            Console.WriteLine($"stored: {stored:N0}; peak memory (VmHWM, whole process incl. the fake server): {peak / 1048576.0:F0} MiB (before the syncs: {before / 1048576.0:F0} MiB); GC heap now {GC.GetTotalMemory(false) / 1048576.0:F0} MiB");
            return first.Status == ConnectionStatus.Idle && stored == total ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            if (server is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(server);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>The process's peak resident set (Linux VmHWM), falling back to .NET's peak working set.</summary>
    private static long PeakRss()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
