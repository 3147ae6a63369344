using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hatch.Data;

namespace Hatch.ServiceDefaults;

/// <summary>
/// Which storage Hangfire uses: in memory beside the SQLite default (one process), Hangfire.PostgreSql (schema
/// "hangfire") when the database is PostgreSQL, so any number of web and worker processes share one queue.
/// </summary>
public static class JobStorageSetup
{
    public const string SchemaName = "hangfire";

    /// <summary>How old a Hangfire.PostgreSql lock row must be before it is treated as left by a dead connection.</summary>
    public static readonly TimeSpan StaleLockAge = TimeSpan.FromSeconds(30);

    /// <param name="invisibilityTimeout">How long a dead worker's job waits before another takes it (Hatch:Jobs:InvisibilityTimeout).</param>
    /// <param name="queuePollInterval">How often an idle worker looks at the queue by itself (Hatch:Jobs:QueuePollInterval).</param>
    public static JobStorage Create(DatabaseOptions database, TimeSpan? invisibilityTimeout = null, TimeSpan? queuePollInterval = null)
    {
        if (database.Provider != DatabaseProvider.Postgres)
            // Guid ids: a restarted process starts counting long ids at 1 again, so a request's job id recorded before the
            // restart could name another request's live job, and the sweeper would wait on it instead of re-enqueueing.
            return new InMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Guid });

        var options = new PostgreSqlStorageOptions
        {
                SchemaName = SchemaName,
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY: a job enqueued by one process starts on another in well under a second.
                EnableLongPolling = true,
                // A long model call keeps its job: the fetch is renewed while the worker runs, never handed to a second worker.
                UseSlidingInvisibilityTimeout = true,
                // With the sliding timeout a live worker renews its fetch every fifth of this, so it can be short: it is
                // how long the job of a worker that died (kill -9, lost machine) waits before another worker takes it.
                // Hangfire.PostgreSql's own default is 30 minutes.
                InvisibilityTimeout = invisibilityTimeout ?? TimeSpan.FromMinutes(5),
                // A lock row whose holder lost its connection (a database restart cuts every session mid-way) is only
                // taken as dead once it is this old. With the default 10 minutes, a job whose state lock was orphaned
                // by a restart stayed Enqueued, its fetch renewed by the waiting worker, for ten minutes after the
                // database was back (found by the pgrestart drill). Hangfire holds these locks for milliseconds.
                DistributedLockTimeout = StaleLockAge,
                QueuePollInterval = queuePollInterval ?? TimeSpan.FromSeconds(5),
        };
        // The app's own connection string, so Hangfire and EF share one pool; its statements get prepared too.
        var connectionString = DatabaseOptions.PreparePostgres(database.ConnectionString);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
