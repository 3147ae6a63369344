using System.Collections.Concurrent;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Features.Library;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Hatch.Web.Tests.SemanticWebTests;

namespace Hatch.Web.Tests;

/// <summary>The app with a remote embedding provider (OpenAICompatible) on a fake OpenAI server, its log recorded.</summary>
public sealed class RemoteEmbeddingAppFactory : SqliteAppFactory
{
    public const string Model = "text-embedding-3-small";
    public const string Key = "embed-key";

    public FakeOpenAIServer Provider { get; } = FakeOpenAIServer.StartAsync().GetAwaiter().GetResult();

    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Log { get; } = new();

    protected override string EmbeddingProvider => EmbeddingProviders.OpenAICompatible;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Provider.ApiKey = Key;
        builder.UseSetting("Hatch:Embeddings:Model", Model);
        builder.UseSetting("Hatch:Embeddings:Endpoint", Provider.OpenAIEndpoint.ToString());
        builder.UseSetting("Hatch:Embeddings:ApiKey", Key);
        builder.UseSetting("Hatch:Llm:MaxRetries", "1");
        builder.UseSetting("Hatch:Llm:RetryBaseDelay", "00:00:00.010");
        builder.ConfigureLogging(logging => logging.AddProvider(new RecordingLoggerProvider(Log)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private sealed class RecordingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, log);
        public void Dispose() { }

        private sealed class Recorder(string category, ConcurrentQueue<(LogLevel, string, string)> log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) log.Enqueue((logLevel, category, formatter(state, exception)));
            }
        }
    }
}

/// <summary>Remote embedding providers in the app: Semantic Kernel's connector against a real HTTP server.</summary>
public sealed class RemoteEmbeddingTests(RemoteEmbeddingAppFactory factory) : IClassFixture<RemoteEmbeddingAppFactory>
{
    private static (string Text, string Source)[] Passages(string marker) =>
    [
        ($"{marker} Sleep consolidates memory overnight.", "Why We Sleep"),
        ($"{marker} Retrieval practice beats rereading.", "Make It Stick"),
        ($"{marker} Compound interest rewards patience.", "The Psychology of Money"),
        ($"{marker} Safe teams admit mistakes early.", "The Fearless Organization"),
        ($"{marker} Index funds keep fees low.", "Common Sense Investing"),
    ];

    [Fact]
    public async Task AnImportIsEmbeddedByTheRemoteProviderAndItsVectorsStoredWithTheModelId()
    {
        var marker = $"m{Guid.NewGuid():N}";
        var (client, email) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Batch(Passages(marker)))).EnsureSuccessStatusCode();
        var userId = await factory.UserIdAsync(email);

        await WaitForEmbeddingsAsync(factory, userId);

        var sent = factory.Provider.EmbeddingRequests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(sent);
        Assert.All(sent, r => Assert.Equal("/v1/embeddings", r.Path));
        Assert.All(sent, r => Assert.Equal(RemoteEmbeddingAppFactory.Model, r.Model));
        Assert.All(sent, r => Assert.Equal("Bearer " + RemoteEmbeddingAppFactory.Key, r.Header("Authorization")));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var rows = await db.HighlightEmbeddings.Where(e => db.Highlights.Any(h => h.Id == e.HighlightId && h.UserId == userId)).ToListAsync();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(RemoteEmbeddingAppFactory.Model, r.ModelId));
        Assert.All(rows, r => Assert.Equal(factory.Provider.EmbeddingDimensions, r.Dimensions));
    }

    [Theory]
    [InlineData(EmbeddingProviders.OpenAI, "/v1/embeddings", "text-embedding-3-large")]
    [InlineData(EmbeddingProviders.AzureOpenAI, "/openai/deployments/hatch-embeddings/embeddings", "hatch-embeddings")]
    public async Task TheOtherRemoteProvidersStoreTheirVectorsUnderTheirModelId(string provider, string path, string storedModelId)
    {
        var marker = $"m{Guid.NewGuid():N}";
        var (client, email) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Batch(Passages(marker)))).EnsureSuccessStatusCode();
        var userId = await factory.UserIdAsync(email);
        // The app's own provider embeds the import first; the model configured next counts its vectors as missing.
        await WaitForEmbeddingsAsync(factory, userId);
        var azure = provider == EmbeddingProviders.AzureOpenAI;
        var options = Options.Create(new EmbeddingOptions
        {
            Provider = provider,
            Model = azure ? RemoteEmbeddingAppFactory.Model : storedModelId,
            Deployment = azure ? "hatch-embeddings" : null,
            Endpoint = azure ? factory.Provider.BaseUri.ToString() : factory.Provider.OpenAIEndpoint.ToString(),
            ApiKey = RemoteEmbeddingAppFactory.Key,
            ApiVersion = azure ? "2024-10-21" : null,
        });
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        // The store as a process configured with this provider builds it (the generator is the registration's own factory).
        var store = new EmbeddingStore(db, EmbeddingServiceExtensions.CreateGenerator(options.Value), options,
            scope.ServiceProvider.GetRequiredService<IdeasInBackground>(), scope.ServiceProvider.GetRequiredService<VectorIndexCache>(),
            TimeProvider.System, NullLogger<EmbeddingStore>.Instance);

        var stored = await store.EnsureAsync(userId);

        Assert.Equal(5, stored);
        Assert.Contains(factory.Provider.EmbeddingRequests, r => r.Path == path && r.Body.Contains(marker, StringComparison.Ordinal));
        var ids = await db.HighlightsOf(userId).Select(h => h.Id).ToListAsync();
        var models = await db.HighlightEmbeddings.Where(e => ids.Contains(e.HighlightId)).Select(e => e.ModelId).ToListAsync();
        Assert.Equal([storedModelId, storedModelId, storedModelId, storedModelId, storedModelId], models); // the app's earlier vectors replaced
        Assert.Equal(5, (await store.LibraryAsync(userId)).Count);
    }

    [Fact]
    public async Task AFailingEndpointLeavesTheImportStandingWithoutVectorsAndTheLogSaysWhy()
    {
        var marker = $"m{Guid.NewGuid():N}";
        factory.Provider.EmbeddingFault = r => r.Body.Contains(marker, StringComparison.Ordinal)
            ? FakeReply.Error(500, "The embedding backend is down for maintenance.")
            : null;
        var (client, email) = await factory.NewUserAsync();

        var response = await client.PostAsJsonAsync("/api/highlights", Batch(Passages(marker)));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var report = await response.Content.ReadFromJsonAsync<Report>(Json);
        Assert.Equal(5, report!.Imported);
        Assert.Equal("background", report.NearDuplicateCheck);
        var userId = await factory.UserIdAsync(email);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? failure = null;
        while (failure is null)
        {
            failure = factory.Log.Select(l => l.Message).FirstOrDefault(m => m.Contains(userId, StringComparison.Ordinal) && m.Contains("Embedding failed", StringComparison.Ordinal));
            Assert.True(failure is not null || DateTime.UtcNow < deadline, "no log entry said why embedding failed");
            if (failure is null) await Task.Delay(100);
        }
        Assert.Contains("500", failure);
        Assert.Contains("The embedding backend is down for maintenance.", failure);
        Assert.Contains(RemoteEmbeddingAppFactory.Model, failure);
        Assert.Contains("5 highlight(s)", failure);

        // Still stored and listed; shown as waiting for their vectors.
        Assert.Equal(5, (await AllAsync(client)).Count);
        var themes = await client.GetFromJsonAsync<ThemesBody>("/api/themes", Json);
        Assert.Equal(5, themes!.Pending);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(5, await scope.ServiceProvider.GetRequiredService<EmbeddingStore>().CountMissingAsync(userId));
    }
}
