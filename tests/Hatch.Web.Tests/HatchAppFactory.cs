using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hatch.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>The app in process on its own database (one per test class), started in Development so it migrates.</summary>
public abstract class HatchAppFactory : WebApplicationFactory<Program>
{
    public const string Password = "Passw0rd!x";
    public const long MaxUploadBytes = 64 * 1024;

    protected abstract string ConnectionString { get; }

    private string? _ownedDatabase;

    /// <summary>A PostgreSQL database of this factory's own, created by the app's migration and dropped on dispose.</summary>
    protected string OwnedPostgresDatabase => _ownedDatabase ??= TestPostgres.NewDatabase();

    protected virtual string Environment => "Development";

    /// <summary>None (hashed word vectors) keeps the suite fast; the tests about meaning use MiniLM.</summary>
    protected virtual string EmbeddingProvider => "None";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("ConnectionStrings:Hatch", ConnectionString);
        builder.UseSetting("Hatch:Web:MaxUploadBytes", MaxUploadBytes.ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Hatch:Embeddings:Provider", EmbeddingProvider);
        // Test users all register and sign in from one (test server) address; Hostile.RateLimitTests sets these low.
        builder.UseSetting("Hatch:RateLimits:SignInsPerMinute", "10000");
        builder.UseSetting("Hatch:RateLimits:RegistrationsPerHour", "10000");
    }

    /// <summary>Registers a fresh user through /api/auth and returns a client carrying its bearer token.</summary>
    public async Task<(HttpClient Client, string Email)> NewUserAsync()
    {
        var email = $"u{Guid.NewGuid():N}@example.com";
        var client = CreateClient();
        var register = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        Assert.True(register.IsSuccessStatusCode, $"register: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, email);
    }

    public async Task<string> UserIdAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }

    public sealed record TokenResponse(string AccessToken);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownedDatabase is { } database)
        {
            _ownedDatabase = null;
            TestPostgres.Drop(database);
        }
    }
}

/// <summary>A real PostgreSQL from HATCH_TEST_PG (scripts/test.sh starts one), one fresh database per test class.</summary>
public class PostgresAppFactory : HatchAppFactory
{
    protected override string ConnectionString => OwnedPostgresDatabase;
}

/// <summary>The embedded default: a SQLite file in a temporary folder.</summary>
public class SqliteAppFactory : HatchAppFactory
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hatch-test-").FullName;

    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "hatch.db")}";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>SQLite with the real MiniLM model, for the tests that are about meaning rather than words.</summary>
public sealed class MiniLmSqliteAppFactory : SqliteAppFactory
{
    protected override string EmbeddingProvider => "MiniLM";
}

/// <summary>PostgreSQL with the real MiniLM model.</summary>
public sealed class MiniLmPostgresAppFactory : PostgresAppFactory
{
    protected override string EmbeddingProvider => "MiniLM";
}
