using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Hatch.Data;

/// <summary>Schema upkeep shared by `hatch db migrate` and the web app's start.</summary>
public sealed class HatchDatabase(HatchDbContext db)
{
    public string ProviderName => db.Database.ProviderName ?? "unknown";

    private bool IsPostgres => db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default) =>
        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();

    /// <summary>Applies pending migrations (creating the database if needed) and makes sure the roles exist.</summary>
    /// <param name="onMigration">Told (the migration about to be applied, how many are pending) before each one, for a
    /// progress bar; with it, migrations are applied one at a time.</param>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default, Action<string, int>? onMigration = null)
    {
        if (IsPostgres)
        {
            await CreateMissingPostgresDatabaseAsync(cancellationToken);
            // Npgsql's migrator finds a missing history table by reading it and catching the failure, which EF logs
            // as a failed command (npgsql/efcore.pg#3407); creating it first, as the migrator would, keeps a new
            // install's log free of errors.
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        }
        var pending = await PendingMigrationsAsync(cancellationToken);
        if (onMigration is null || pending.Count == 0)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        else
        {
            var migrator = db.GetService<IMigrator>();
            foreach (var migration in pending)
            {
                onMigration(migration, pending.Count);
                await migrator.MigrateAsync(migration, cancellationToken);
            }
        }
        await EnsureRolesAsync(cancellationToken);
        await db.RefreshPlannerStatisticsAsync(cancellationToken);
        return pending;
    }

    /// <summary>
    /// Creates a PostgreSQL database that does not exist yet. EF's migrator would create it too, but finds it missing
    /// by failing to open it and logs that failure as an error first: a new install should not start with an error.
    /// Two processes racing to create it are fine (42P04, already exists).
    /// </summary>
    private async Task CreateMissingPostgresDatabaseAsync(CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        if (string.IsNullOrEmpty(target.Database)) return;
        var admin = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = target.Database } } })
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return;
        try
        {
            var name = target.Database.Replace("\"", "\"\"", StringComparison.Ordinal);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }

    public async Task EnsureRolesAsync(CancellationToken cancellationToken = default)
    {
        var existing = await db.Roles.Select(r => r.Name).ToListAsync(cancellationToken);
        foreach (var role in HatchUser.Roles.All.Except(existing))
            db.Roles.Add(new IdentityRole(role!) { NormalizedName = role!.ToUpperInvariant(), ConcurrencyStamp = Guid.NewGuid().ToString() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another process seeded them at the same moment.
            db.ChangeTracker.Clear();
        }
    }
}
