using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hatch.Web.Tests;

public sealed class PostgresEmbeddingRaceLogTests() : EmbeddingRaceLogTests(new CapturingPostgres());

public sealed class SqliteEmbeddingRaceLogTests() : EmbeddingRaceLogTests(new CapturingSqlite());

/// <summary>
/// The import's near-duplicate check and the background embedding job both store vectors for new highlights; when
/// they race, the second finds the first's rows. That is expected and handled, so the log shows no failure, warning
/// or stack trace about highlight_embeddings: only a Debug line that the vectors were already stored.
/// </summary>
public abstract class EmbeddingRaceLogTests(HatchAppFactory factory) : IAsyncDisposable
{
    public interface ICapturing
    {
        LogCapture Logs { get; }
    }

    public sealed class CapturingPostgres : PostgresAppFactory, ICapturing
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Hatch", "Debug");
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }
    }

    public sealed class CapturingSqlite : SqliteAppFactory, ICapturing
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Hatch", "Debug");
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }
    }

    private LogCapture Logs => ((ICapturing)factory).Logs;

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();

    /// <summary>Entries an operator would be alarmed by: a warning or worse, or any stack, that concern the vectors' table.</summary>
    private IReadOnlyList<CapturedLog> Alarming() => Logs.Entries
        .Where(e => e.Level >= LogLevel.Warning || e.Exception is not null)
        .Where(e => $"{e.Message} {e.Exception}".Contains("highlight_embeddings", StringComparison.OrdinalIgnoreCase)
                    || e.Category == typeof(EmbeddingStore).FullName)
        .ToList();

    [Fact]
    public async Task VectorsAnotherRunStoredFirstAreSkippedWithOneDebugLineAndNoFailure()
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);

        // Stored directly, not through the API: an import would enqueue the embedding job, and on a busy machine that
        // job could store these vectors before the first save below, which then finds them already there.
        IReadOnlyList<(Guid, float[])> vectors;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
            var stored = await db.AddNewHighlightsAsync(userId,
            [
                new Highlight { Text = "The harbour master keeps a ledger of every tide since the storm.", Source = new HighlightSource("Harbour") },
                new Highlight { Text = "Salt gets into the ledgers and the ink runs in wet summers.", Source = new HighlightSource("Harbour") },
            ], DateTimeOffset.UtcNow, CancellationToken.None);
            // Both runs computed vectors for the same highlights; the first to store them wins.
            vectors = stored.Select(h => (h.Id, Enumerable.Repeat(0.5f, 8).ToArray())).ToArray();
            Assert.Equal(2, await store.SaveAsync(vectors));
        }
        int second;
        await using (var scope = factory.Services.CreateAsyncScope())
            second = await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().SaveAsync(vectors);

        Assert.Empty(Alarming());
        Assert.Equal(0, second);
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Debug && e.Message == "2 of 2 embeddings were stored by another run first; skipped");
    }

    /// <summary>
    /// A save larger than one statement (SQLite takes 50 rows a statement): rows stored before are skipped wherever
    /// they fall, and a save that meets a deleted highlight stores none of its rows, as one statement would.
    /// </summary>
    [Fact]
    public async Task ALargeSaveSkipsWhatIsStoredAndStoresNothingWhenAHighlightIsGone()
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
        var stored = await db.AddNewHighlightsAsync(userId,
            Enumerable.Range(0, 180).Select(i => new Highlight { Text = $"Tide table entry {i}: the pier flooded at dawn.", Source = new HighlightSource("Harbour") }).ToArray(),
            DateTimeOffset.UtcNow, CancellationToken.None);
        var vectors = stored.Select((h, i) => (h.Id, Enumerable.Repeat(i / 180f, 8).ToArray())).ToArray();

        // Every seventh stored first by "another run"; the rest of the 180, over several statements, by this one.
        Assert.Equal(26, await store.SaveAsync(vectors.Where((_, i) => i % 7 == 0).ToArray()));
        Assert.Equal(154, await store.SaveAsync(vectors));
        Assert.Equal(180, await db.HighlightEmbeddings.CountAsync(e => stored.Select(h => h.Id).Contains(e.HighlightId)));

        // 120 new highlights, the last of them deleted before its vector is stored: nothing of the save remains.
        var more = await db.AddNewHighlightsAsync(userId,
            Enumerable.Range(0, 120).Select(i => new Highlight { Text = $"Ledger line {i}: salt in the ink again.", Source = new HighlightSource("Harbour") }).ToArray(),
            DateTimeOffset.UtcNow, CancellationToken.None);
        var gone = more[^1].Id;
        await db.Highlights.Where(h => h.Id == gone).ExecuteDeleteAsync();
        Assert.Equal(-1, await store.SaveAsync(more.Select(h => (h.Id, Enumerable.Repeat(0.25f, 8).ToArray())).ToArray()));
        Assert.Equal(0, await db.HighlightEmbeddings.CountAsync(e => more.Select(h => h.Id).Contains(e.HighlightId)));
    }

    [Fact]
    public async Task ABurstOfImportsLogsNoFailureAboutTheVectorsTable()
    {
        var (client, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        // Small batches: each import embeds its new highlights at once, while the job it enqueued does the same.
        var imports = Enumerable.Range(0, 12).Select(i => client.PostAsJsonAsync("/api/highlights",
            Enumerable.Range(0, 5).Select(j => new { text = $"Burst passage {i}-{j}: the tide table for pier {i * 10 + j} was copied by hand.", source = $"Pier log {i}" })));
        foreach (var response in await Task.WhenAll(imports)) response.EnsureSuccessStatusCode();

        await WaitUntilEmbeddedAndIdleAsync(userId);

        Assert.Empty(Alarming());
    }

    /// <summary>Waits until every highlight of the reader has its vectors and no job is queued or running (90 s at most).</summary>
    private async Task WaitUntilEmbeddedAndIdleAsync(string userId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId) == 0) break;
            Assert.True(DateTime.UtcNow < deadline, "the highlights were not all embedded within 90 s");
            await Task.Delay(100);
        }
        // The jobs the imports enqueued may still be running after the last vector is stored: let the queue drain.
        var storage = factory.Services.GetRequiredService<Hangfire.JobStorage>();
        while (storage.GetMonitoringApi().GetStatistics() is { Enqueued: > 0 } or { Processing: > 0 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the embedding jobs did not finish within 90 s");
            await Task.Delay(100);
        }
    }
}
