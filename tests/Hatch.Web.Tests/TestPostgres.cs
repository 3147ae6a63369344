using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>
/// Throwaway databases on the server in HATCH_TEST_PG (scripts/test.sh starts one). Each test class gets a database
/// of its own, and drops it when it is done: a finished class otherwise keeps its pooled connections open for
/// Npgsql's five-minute idle lifetime, and a few dozen classes exhaust the server's max_connections.
/// </summary>
public static class TestPostgres
{
    public static string Server =>
        System.Environment.GetEnvironmentVariable("HATCH_TEST_PG") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                "HATCH_TEST_PG is not set. These tests need a real PostgreSQL: run scripts/test.sh, which starts a throwaway cluster, " +
                "or export HATCH_TEST_PG=\"Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres\".");

    /// <summary>A connection string for a new, not yet created database (the app's migration creates it).</summary>
    public static string NewDatabase() =>
        new NpgsqlConnectionStringBuilder(Server) { Database = $"hatch_test_{Guid.NewGuid():N}" }.ConnectionString;

    /// <summary>Closes this process's connections to the database and drops it, ending anyone else's (WITH FORCE).</summary>
    public static void Drop(string connectionString)
    {
        using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        try
        {
            using var connection = new NpgsqlConnection(admin);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // Best effort: a database left behind costs disk in a throwaway cluster, not a test result.
        }
    }
}
