using System.CommandLine;
using Hatch.Cli.Hosting;
using Hatch.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Commands;

/// <summary>`hatch db migrate`: brings the database named by ConnectionStrings:Hatch up to the current schema.</summary>
public static class DbCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, CliProgress progress)
    {
        var migrate = new Command("migrate", "Apply pending migrations to the database in ConnectionStrings:Hatch (SQLite by default, PostgreSQL when configured) and create the roles.");
        migrate.SetAction(async (parse, cancellationToken) =>
        {
            using var host = CliHost.BuildDatabase(stderr: stderr, migrateNew: false);
            await using var scope = host.Services.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<HatchDatabase>();
            try
            {
                var applied = await progress.RunAsync(parse, async steps =>
                {
                    if (steps.IsSilent) return await database.MigrateAsync(cancellationToken);
                    var migrating = steps.Add("Migrating", new ProgressUnit("migrations"));
                    var started = false;
                    var done = await database.MigrateAsync(cancellationToken, (migration, count) =>
                    {
                        // Told before each one: the previous migration is done.
                        if (started) migrating.Advance(1);
                        started = true;
                        migrating.Total(count);
                        migrating.Describe($"Migrating: {migration}");
                    });
                    migrating.Complete();
                    return done;
                });
                await stdout.WriteLineAsync(applied.Count == 0
                    ? $"hatch: the {database.ProviderName} database is up to date."
                    : $"hatch: applied {applied.Count} migration(s) to the {database.ProviderName} database: {string.Join(", ", applied)}");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                await stderr.WriteLineAsync($"hatch: could not migrate the database: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return new Command("db", "Database upkeep.") { migrate };
    }
}
