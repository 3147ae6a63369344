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
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0")]
    [InlineData("Host=db;maxautoprepare=0;")]
    public void WhatTheConnectionStringSaysWins(string given)
    {
        // Behind an older PgBouncer in transaction mode an operator turns prepared statements off; that must stand.
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(DatabaseOptions.PreparePostgres(given)).MaxAutoPrepare);
    }
}
