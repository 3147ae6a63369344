using System.Collections.Concurrent;
using Hatch.Writing.Themes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Library;

/// <summary>Ideas waiting to hatch as a page shows them: the themes known now, and whether newer ones are being worked out.</summary>
/// <param name="Themes">Themes of the library as of its last change, or of an earlier state while <paramref name="Computing"/>.</param>
/// <param name="Computing">True while this process clusters the current library in the background; ask again shortly.</param>
public sealed record Ideas(IReadOnlyList<ThemeSuggestion> Themes, bool Computing);

/// <summary>
/// The themes each reader's library last produced, by library version, and the clustering runs under way. A large
/// library is clustered off the request (one run per reader, model and version at a time), so a page never waits
/// on it; until the run ends the page shows the previous themes, if any, and says that newer ones are coming.
/// </summary>
/// <remarks>
/// Per process, as the in-memory vector index is: each web process clusters once per library change. A run reads
/// the library through its own scope, since the request that started it has finished by then.
/// </remarks>
public sealed partial class IdeasInBackground(
    IServiceScopeFactory scopes, IMemoryCache cache, IHostApplicationLifetime lifetime, ILogger<IdeasInBackground> logger)
{
    private sealed record Known(long Version, IReadOnlyList<ThemeSuggestion> Themes);

    private readonly ConcurrentDictionary<(string UserId, string ModelId, long Version), Task> _running = new();

    private static string KeyOf(string userId, string modelId) => $"hatch:themes:{userId}:{modelId}";

    /// <summary>The themes stored for exactly this library version, if any.</summary>
    public bool TryGet(string userId, string modelId, long version, out IReadOnlyList<ThemeSuggestion> themes)
    {
        if (cache.TryGetValue(KeyOf(userId, modelId), out Known? known) && known is not null && known.Version == version)
        {
            themes = known.Themes;
            return true;
        }
        themes = [];
        return false;
    }

    /// <summary>The last themes stored for the reader under any version (an older library), or none.</summary>
    public IReadOnlyList<ThemeSuggestion> Latest(string userId, string modelId) =>
        cache.TryGetValue(KeyOf(userId, modelId), out Known? known) && known is not null ? known.Themes : [];

    public void Store(string userId, string modelId, long version, IReadOnlyList<ThemeSuggestion> themes)
    {
        // A slow run for an old version must not overwrite a newer answer another run stored meanwhile.
        if (cache.TryGetValue(KeyOf(userId, modelId), out Known? known) && known is not null && known.Version > version) return;
        cache.Set(KeyOf(userId, modelId), new Known(version, themes), new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
    }

    /// <summary>Starts clustering the reader's library unless a run for this version is already under way.</summary>
    public void Start(string userId, string modelId, long version)
    {
        var key = (userId, modelId, version);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(key, done.Task)) return;
        _ = Task.Run(async () =>
        {
            try { await RunAsync(key); }
            finally
            {
                _running.TryRemove(key, out _);
                done.SetResult();
            }
        });
    }

    /// <summary>The run under way for this reader, if any (tests and the benchmark wait on it).</summary>
    public Task? Running(string userId, string modelId) =>
        _running.FirstOrDefault(kv => kv.Key.UserId == userId && kv.Key.ModelId == modelId).Value;

    private async Task RunAsync((string UserId, string ModelId, long Version) key)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<EmbeddingStore>();
            var (version, themes) = await store.ComputeThemesAsync(key.UserId, lifetime.ApplicationStopping);
            Store(key.UserId, key.ModelId, version, themes);
            LogComputed(key.UserId, themes.Count, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The host is stopping; the next process computes the ideas again when asked.
        }
        catch (Exception ex)
        {
            // Nothing stored: the next visit starts another run. The page keeps showing the previous ideas meanwhile.
            LogFailed(ex, key.UserId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Worked out {Count} ideas waiting to hatch for user {UserId} in the background in {Milliseconds:F0} ms")]
    private partial void LogComputed(string userId, int count, double milliseconds);

    [LoggerMessage(LogLevel.Warning, "Working out the ideas waiting to hatch for user {UserId} failed; the next visit tries again")]
    private partial void LogFailed(Exception ex, string userId);
}
