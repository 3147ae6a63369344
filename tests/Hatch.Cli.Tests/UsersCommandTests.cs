using Hatch.Cli.Hosting;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Tests;

/// <summary>`hatch users role` against a throwaway SQLite database named by ConnectionStrings__Hatch, as an operator would.</summary>
[Collection(nameof(DatabaseEnvironment))]
public sealed class UsersCommandTests
{
    [Fact]
    public async Task RoleGrantsAndRevokesEditorAndAdminAndRefusesUnknownUsers()
    {
        using var database = new ThrowawayDatabase("hatch-cli-");
        static Task<(int Exit, string Out, string Err)> Run(params string[] args) => ThrowawayDatabase.RunAsync(args);

        Assert.Equal(ExitCodes.Ok, (await Run("db", "migrate")).Exit);
        var unknown = await Run("users", "role", "nobody@example.com", "editor");
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);
        Assert.Contains("no user has the email nobody@example.com", unknown.Err);
        Assert.Equal(ExitCodes.BadInput, (await Run("users", "role", "x@example.com", "owner")).Exit);

        Assert.Equal(ExitCodes.Ok, (await Run("users", "add", "ed@example.com", "--role", "editor", "--password", "Passw0rd!x")).Exit);
        var admin = await Run("users", "role", "ed@example.com", "admin");
        Assert.True(admin.Exit == ExitCodes.Ok, admin.Err);
        Assert.Contains("has the role Admin", admin.Out);
        Assert.Equal(["Admin", "Editor"], await RolesAsync("ed@example.com"));

        var revoked = await Run("users", "role", "ed@example.com", "editor", "--revoke");
        Assert.True(revoked.Exit == ExitCodes.Ok, revoked.Err);
        Assert.Equal(["Admin"], await RolesAsync("ed@example.com"));
    }

    [Fact]
    public async Task AddRefusesAnAccountSomeoneElseRegisteredAndRoleIsTheWayToPromoteIt()
    {
        using var database = new ThrowawayDatabase("hatch-cli-");
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("db", "migrate")).Exit);
        using (var host = CliHost.BuildDatabase())
        {
            // Registered through the web app by whoever got to the address first.
            await using var scope = host.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
            Assert.True((await users.CreateAsync(new HatchUser { UserName = "boss@example.com", Email = "boss@example.com" }, "Str4nger!pass")).Succeeded);
        }

        var refused = await ThrowawayDatabase.RunAsync("users", "add", "boss@example.com", "--role", "admin");

        Assert.Equal(ExitCodes.BadInput, refused.Exit);
        Assert.Contains("already exists and was not created by `hatch users add`", refused.Err);
        Assert.Contains("hatch users role boss@example.com admin", refused.Err);
        Assert.Empty(await RolesAsync("boss@example.com"));

        // An account `users add` made is still fine to name again (idempotent), and `users role` promotes on purpose.
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("users", "add", "ops@example.com", "--role", "editor", "--password", "Passw0rd!x")).Exit);
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("users", "add", "ops@example.com", "--role", "admin")).Exit);
        Assert.Equal(["Admin", "Editor"], await RolesAsync("ops@example.com"));
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("users", "role", "boss@example.com", "admin")).Exit);
        Assert.Equal(["Admin"], await RolesAsync("boss@example.com"));
    }

    [Fact]
    public async Task AddRefusesAnAddressAndAPasswordTheWebAppWouldRefuseWithIdentitysReason()
    {
        using var database = new ThrowawayDatabase("hatch-cli-");
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("db", "migrate")).Exit);

        var badEmail = await ThrowawayDatabase.RunAsync("users", "add", "bad-email", "--password", "Passw0rd!x");
        Assert.Equal(ExitCodes.BadInput, badEmail.Exit);
        Assert.Contains("Email 'bad-email' is invalid.", badEmail.Err);

        var shortPassword = await ThrowawayDatabase.RunAsync("users", "add", "short@example.com", "--password", "Pa0!xy");
        Assert.Equal(ExitCodes.BadInput, shortPassword.Exit);
        Assert.Contains("Passwords must be at least 8 characters.", shortPassword.Err);

        using var host = CliHost.BuildDatabase();
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        Assert.Null(await users.FindByNameAsync("bad-email"));
        Assert.Null(await users.FindByEmailAsync("short@example.com"));
    }

    [Fact]
    public async Task AddWithoutARoleCreatesAnAccountWithNoRoleThatCanSignIn()
    {
        using var database = new ThrowawayDatabase("hatch-cli-");
        Assert.Equal(ExitCodes.Ok, (await ThrowawayDatabase.RunAsync("db", "migrate")).Exit);

        var added = await ThrowawayDatabase.RunAsync("users", "add", "reader@example.com", "--password", "Passw0rd!x");

        Assert.True(added.Exit == ExitCodes.Ok, added.Err);
        Assert.Contains("reader@example.com can sign in (no role)", added.Out);
        Assert.Empty(await RolesAsync("reader@example.com"));
        using var host = CliHost.BuildDatabase();
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByEmailAsync("reader@example.com"))!, "Passw0rd!x"));
    }

    private static async Task<string[]> RolesAsync(string email)
    {
        using var host = CliHost.BuildDatabase();
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        return (await users.GetRolesAsync((await users.FindByEmailAsync(email))!)).Order().ToArray();
    }
}

/// <summary>Tests that set ConnectionStrings__Hatch for the process run one at a time.</summary>
[CollectionDefinition(nameof(DatabaseEnvironment), DisableParallelization = true)]
public sealed class DatabaseEnvironment;

/// <summary>
/// A SQLite file in a temporary folder named by ConnectionStrings__Hatch, as an operator points `hatch` at a database;
/// disposing restores the variable and deletes the folder. Used inside the <see cref="DatabaseEnvironment"/> collection.
/// </summary>
public sealed class ThrowawayDatabase : IDisposable
{
    private readonly string? _previous = Environment.GetEnvironmentVariable("ConnectionStrings__Hatch");

    public ThrowawayDatabase(string prefix)
    {
        Folder = Directory.CreateTempSubdirectory(prefix).FullName;
        Environment.SetEnvironmentVariable("ConnectionStrings__Hatch", $"Data Source={Path.Combine(Folder, "hatch.db")}");
    }

    public string Folder { get; }

    /// <summary>Runs `hatch` in process, as from a shell, and returns its exit code and output.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Hatch", _previous);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
