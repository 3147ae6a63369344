using System.Collections.Concurrent;
using Hatch.Data;
using Hatch.Embeddings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hatch.Features.Library;

/// <summary>
/// Semantic search in PostgreSQL through pgvector's HNSW index, when <c>Hatch:Embeddings:Index</c> is
/// <see cref="VectorIndexes.PgVector"/> and the server has the extension. Otherwise (the default
/// <see cref="VectorIndexes.Memory"/>, SQLite, a server without pgvector, or one where it cannot be installed) it says
/// why once and <see cref="UsableAsync"/> answers false, so the in-memory index answers as it does by default.
/// Related highlights, near-duplicate checks and ideas always use the in-memory index: they work on the whole library.
/// </summary>
public sealed partial class PgVectorIndex(IOptions<EmbeddingOptions> options, IServiceScopeFactory scopes, ILogger<PgVectorIndex> logger)
{
    /// <summary>Vectors copied into the column per statement before a search, when some were stored since the last one.</summary>
    private const int FillBatch = 2000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<int, Task> _hnswIndexes = new();
    private Version? _version;

    /// <summary>0 until decided, then <see cref="Usable"/> or <see cref="NotUsable"/>; written after <see cref="_version"/>.</summary>
    private int _state;
    private const int Usable = 1, NotUsable = 2;

    public async Task<bool> UsableAsync(HatchDbContext db, CancellationToken cancellationToken)
    {
        if (options.Value.Index != VectorIndexes.PgVector) return false;
        if (Volatile.Read(ref _state) is var known && known != 0) return known == Usable;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Decided once per process; a cancelled check is simply made again by the next request.
            if (_state == 0) Volatile.Write(ref _state, await PrepareAsync(db, cancellationToken) ? Usable : NotUsable);
            return _state == Usable;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> PrepareAsync(HatchDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            LogNotPostgres();
            return false;
        }
        if (!await db.PgVectorAvailableAsync(cancellationToken))
        {
            LogUnavailable();
            return false;
        }
        try
        {
            _version = await db.PreparePgVectorAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
        {
            // Another process created the extension or the column at the same moment; it is there now.
            _version = await db.PreparePgVectorAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            LogSetupFailed(e.MessageText);
            return false;
        }
        LogUsing(_version.ToString());
        return true;
    }

    /// <summary>
    /// The user's <paramref name="k"/> nearest highlights at or above <paramref name="minScore"/>, best first. Call
    /// only after <see cref="UsableAsync"/> said true.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, float Score)>> NearestAsync(
        HatchDbContext db, string userId, string modelId, float[] query, int k, float minScore, CancellationToken cancellationToken)
    {
        while (await db.FillPgVectorsAsync(userId, FillBatch, cancellationToken) == FillBatch) { }
        _ = _hnswIndexes.GetOrAdd(query.Length, BuildIndexInBackground);
        var nearest = await db.PgVectorNearestAsync(userId, modelId, query, k, _version >= new Version(0, 8), cancellationToken);
        return nearest.Where(n => n.Score >= minScore).ToArray();
    }

    /// <summary>Built once per vector size, off the request: queries are exact scans until the index is valid.</summary>
    private Task BuildIndexInBackground(int dimensions) => Task.Run(async () =>
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<HatchDbContext>().CreateHnswIndexAsync(dimensions, CancellationToken.None);
        }
        catch (Exception e) when (e is PostgresException or NpgsqlException or InvalidOperationException)
        {
            LogIndexFailed(dimensions, e.Message);
            _hnswIndexes.TryRemove(dimensions, out _);
        }
    });

    [LoggerMessage(LogLevel.Warning, "Hatch:Embeddings:Index is PgVector, but this PostgreSQL server has no pgvector extension (pg_available_extensions lists no 'vector'); semantic search ranks vectors in memory instead")]
    private partial void LogUnavailable();

    [LoggerMessage(LogLevel.Warning, "Hatch:Embeddings:Index is PgVector, which needs PostgreSQL (ConnectionStrings:Hatch names SQLite); semantic search ranks vectors in memory instead")]
    private partial void LogNotPostgres();

    [LoggerMessage(LogLevel.Warning, "Hatch:Embeddings:Index is PgVector, but setting up pgvector failed ({Reason}); semantic search ranks vectors in memory instead")]
    private partial void LogSetupFailed(string reason);

    [LoggerMessage(LogLevel.Information, "Semantic search uses pgvector {Version} (Hatch:Embeddings:Index=PgVector)")]
    private partial void LogUsing(string version);

    [LoggerMessage(LogLevel.Warning, "Building the HNSW index for vectors of {Dimensions} dimensions failed ({Reason}); searches stay exact scans and the next one tries again")]
    private partial void LogIndexFailed(int dimensions, string reason);
}
