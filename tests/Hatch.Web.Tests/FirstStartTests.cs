using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Hatch.Web.Tests;

/// <summary>
/// A first start on a new database is what every new user sees: it must not print warnings about the database
/// being in an unexpected state (SQLite rebuilds tables for check constraints; the migrations are written so that
/// nothing runs while a rebuild is pending).
/// </summary>
public sealed class FirstStartTests
{
    private sealed class CapturingSqliteAppFactory : SqliteAppFactory
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }
    }

    private sealed class CapturingPostgresAppFactory : PostgresAppFactory
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }
    }

    [Fact]
    public async Task AFreshSqliteDatabaseIsMigratedWithoutAWarning()
    {
        await using var app = new CapturingSqliteAppFactory();
        Assert.True((await app.CreateClient().GetAsync("/health")).IsSuccessStatusCode);

        var warnings = app.Logs.Entries.Where(e => e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task AFreshPostgresDatabaseIsMigratedWithoutAWarning()
    {
        await using var app = new CapturingPostgresAppFactory();
        Assert.True((await app.CreateClient().GetAsync("/health")).IsSuccessStatusCode);

        var warnings = app.Logs.Entries.Where(e => e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
        Assert.Empty(warnings);
    }
}
