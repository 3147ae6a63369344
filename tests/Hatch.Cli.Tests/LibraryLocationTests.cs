namespace Hatch.Cli.Tests;

/// <summary>
/// Where the library lives does not depend on the current folder: outside a checkout it is the user's data folder
/// (XDG_DATA_HOME/hatch here), HATCH_HOME overrides that, `hatch --help` says which, and creating it is said once.
/// Every run gets a temporary HOME and XDG_DATA_HOME, so no test touches the real home folder.
/// </summary>
public sealed class LibraryLocationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hatch-library-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The command as built (src/Hatch.Cli/bin/…), run as a separate process from a folder outside any checkout.</summary>
    private static string BuiltCli =>
        Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Hatch.Cli.Tests"), Path.Combine("src", "Hatch.Cli")), "hatch.dll");

    private string Elsewhere => Directory.CreateDirectory(Path.Combine(_root, "somewhere", "else")).FullName;

    private Task<HatchProcess.Result> RunAsync(string? hatchHome, params string[] args)
    {
        var environment = HatchProcess.Settings();
        environment["HOME"] = Path.Combine(_root, "home");
        environment["XDG_DATA_HOME"] = Path.Combine(_root, "xdg");
        // Empty is unset: neither the test process's own settings nor another test's may choose the database here.
        environment["HATCH_HOME"] = hatchHome ?? "";
        environment["ConnectionStrings__Hatch"] = "";
        return HatchProcess.RunAsync("dotnet", [BuiltCli, .. args], environment, Elsewhere);
    }

    [Fact]
    public async Task OutsideACheckoutTheLibraryIsInTheUsersDataFolderAndItsCreationIsSaidOnce()
    {
        var expected = Path.Combine(_root, "xdg", "hatch", "data", "hatch.db");

        var help = await RunAsync(null, "--help");
        Assert.Contains($"Your library: {expected}", help.Out);

        var first = await RunAsync(null, "db", "migrate");
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains($"hatch: created a new library at {expected}", first.Err);
        Assert.True(File.Exists(expected));
        Assert.False(Directory.Exists(Path.Combine(Elsewhere, "data")), "a library was created in the current folder");

        var second = await RunAsync(null, "db", "migrate");
        Assert.True(second.Exit == 0, second.Err);
        Assert.DoesNotContain("created a new library", second.Err);
    }

    [Fact]
    public async Task TheFirstCommandOnANewLibraryCreatesItReadyToUseSoUsersAddWorksBeforeTheWebAppEverRan()
    {
        var home = Path.Combine(_root, "fresh");
        var expected = Path.Combine(home, "data", "hatch.db");

        var add = await RunAsync(home, "users", "add", "first@example.test", "--role", "admin");

        Assert.True(add.Exit == 0, add.Err);
        Assert.Contains($"hatch: created a new library at {expected}", add.Err);
        Assert.DoesNotContain("schema is behind", add.Err);
        Assert.Contains("generated password", add.Err + add.Out);
    }

    [Fact]
    public async Task HatchHomeChoosesTheLibraryFolderOverTheUsersDataFolder()
    {
        var home = Path.Combine(_root, "my-hatch");
        var expected = Path.Combine(home, "data", "hatch.db");

        Assert.Contains($"Your library: {expected}", (await RunAsync(home, "--help")).Out);
        var migrate = await RunAsync(home, "db", "migrate");

        Assert.True(migrate.Exit == 0, migrate.Err);
        Assert.Contains($"hatch: created a new library at {expected}", migrate.Err);
        Assert.True(File.Exists(expected));
        Assert.False(Directory.Exists(Path.Combine(_root, "xdg", "hatch")));
        Assert.False(Directory.Exists(Path.Combine(Elsewhere, "data")));
    }
}
