using Hatch.Data;
using Npgsql;

namespace Hatch.Features.Tests.Data;

public sealed class DatabaseOptionsTests
{
    [Fact]
    public void PostgresConnectionsPrepareTheStatementsTheyRepeat()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseOptions.PreparePostgres("Host=db;Database=hatch;Username=u;Password=p;"));

        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal(("db", "hatch", "u", "p"), (tuned.Host, tuned.Database, tuned.Username, tuned.Password));
        Assert.False(tuned.NoResetOnClose); // Hangfire LISTENs on pooled connections: they must still be reset
        // A prepared statement keeps being planned for its values: a generic plan walks a large library per lookup.
        Assert.Equal("-c plan_cache_mode=force_custom_plan", tuned.Options);
    }

    [Fact]
    public void TheOperatorsOwnOptionsAreKeptBesideCustomPlans()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseOptions.PreparePostgres("Host=db;Options=-c statement_timeout=5000"));
        Assert.Equal("-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan", tuned.Options);

        var chosen = new NpgsqlConnectionStringBuilder(DatabaseOptions.PreparePostgres("Host=db;Options=-c plan_cache_mode=auto"));
        Assert.Equal("-c plan_cache_mode=auto", chosen.Options);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0")]
    [InlineData("Host=db;maxautoprepare=0;")]
    public void WhatTheConnectionStringSaysWins(string given)
    {
        // Behind an older PgBouncer in transaction mode an operator turns prepared statements off; that must stand.
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseOptions.PreparePostgres(given));
        Assert.Equal(0, tuned.MaxAutoPrepare);
        // Nothing is prepared, so no plan is cached, and PgBouncer is not sent a startup option it may refuse.
        Assert.Null(tuned.Options);
    }
}
