using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Data;

public static class HatchDataExtensions
{
    /// <summary>
    /// Registers <see cref="HatchDbContext"/> for the provider <c>ConnectionStrings:Hatch</c> names. The choice is made
    /// when the context is first resolved, so tests and hosts can set the connection string late.
    /// </summary>
    public static IHostApplicationBuilder AddHatchData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptions>();
        // Pooled: a job or request leases a context that is reset between uses, and the options are built once per
        // process, not once per scope (which also made EF look up its internal service provider every time). The
        // scale-out drill measured context set-up as a visible share of a worker's CPU per hatch.
        services.AddDbContextPool<SqliteHatchDbContext>((sp, options) =>
            ConfigureSqlite(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.AddDbContextPool<PostgresHatchDbContext>((sp, options) =>
            ConfigurePostgres(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.AddScoped<HatchDbContext>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? sp.GetRequiredService<PostgresHatchDbContext>()
                : sp.GetRequiredService<SqliteHatchDbContext>());
        services.AddScoped<HatchDatabase>();
        return builder;
    }

    internal static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(DatabaseOptions.PrepareSqlite(connectionString))
            // SQLite adds a check constraint by rebuilding the table, which needs foreign keys off, and SQLite ignores
            // that pragma inside a transaction; EF runs it outside and warns on every fresh database. The rebuild itself
            // runs in the migration's transaction, and only the single-process embedded default migrates SQLite.
            .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning));

    internal static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(DatabaseOptions.PreparePostgres(connectionString));
}

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteHatchDbContext</c> run without a host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHatchDbContext>
{
    public SqliteHatchDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteHatchDbContext>();
        options.UseSqlite("Data Source=design-time.db");
        return new SqliteHatchDbContext(options.Options);
    }
}

/// <summary>Lets <c>dotnet ef migrations add … --context PostgresHatchDbContext</c> run without a host or a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHatchDbContext>
{
    public PostgresHatchDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresHatchDbContext>();
        options.UseNpgsql("Host=127.0.0.1;Database=hatch_design_time");
        return new PostgresHatchDbContext(options.Options);
    }
}
