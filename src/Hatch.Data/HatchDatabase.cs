using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Hatch.Data;

/// <summary>Schema upkeep shared by `hatch db migrate` and the web app's start.</summary>
public sealed class HatchDatabase(HatchDbContext db)
{
    public string ProviderName => db.Database.ProviderName ?? "unknown";

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default) =>
        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToArray();

    /// <summary>Applies pending migrations (creating the database if needed) and makes sure the roles exist.</summary>
    /// <param name="onMigration">Told (the migration about to be applied, how many are pending) before each one, for a
    /// progress bar; with it, migrations are applied one at a time.</param>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default, Action<string, int>? onMigration = null)
    {
        var pending = await PendingMigrationsAsync(cancellationToken);
        if (onMigration is null || pending.Count == 0)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        else
        {
            var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            foreach (var migration in pending)
            {
                onMigration(migration, pending.Count);
                await migrator.MigrateAsync(migration, cancellationToken);
            }
        }
        await EnsureRolesAsync(cancellationToken);
        return pending;
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
