using System.Text.RegularExpressions;
using Hatch.Cli.Hosting;
using Hatch.TestSupport;

namespace Hatch.Cli.Tests;

/// <summary>
/// `hatch` as a .NET tool, the way a reader installs it: packed from src/Hatch.Cli, installed from that folder into
/// a tool path of its own (only that folder as a package source, so nothing comes from elsewhere) and run by its
/// command name. Packing and installing happen once for the class.
/// </summary>
public sealed class PackedHatchTool : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hatch-tool-").FullName;

    public string Command => Path.Combine(_root, "tools", "hatch");

    public string WorkingDirectory => Path.Combine(_root, "work");

    public async Task InitializeAsync()
    {
        var packages = Path.Combine(_root, "packages");
        var project = RepositoryRoot.Combine("src", "Hatch.Cli");
        // The test project's build already built hatch in this configuration; packing reuses it, and leaves no build
        // server running behind the test.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var pack = await HatchProcess.RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "--disable-build-servers", "-o", packages, "-nologo"]);
        Assert.True(pack.Exit == 0, $"dotnet pack failed:\n{pack.Out}\n{pack.Err}");
        Assert.Single(Directory.GetFiles(packages, "Hatch.Cli.*.nupkg"));

        var config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="hatch" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = await HatchProcess.RunAsync("dotnet",
            ["tool", "install", "Hatch.Cli", "--tool-path", Path.Combine(_root, "tools"), "--configfile", config]);
        Assert.True(install.Exit == 0, $"dotnet tool install failed:\n{install.Out}\n{install.Err}");
        Directory.CreateDirectory(WorkingDirectory);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed partial class CliToolTests(PackedHatchTool tool) : IClassFixture<PackedHatchTool>
{
    [Fact]
    public async Task TheInstalledToolSaysItsVersionAndTheCommitItWasBuiltFrom()
    {
        var result = await HatchProcess.RunAsync(tool.Command, ["--version"], HatchProcess.Settings(), tool.WorkingDirectory);

        Assert.True(result.Exit == 0, result.Err);
        Assert.Matches(VersionLine(), result.Out.Trim());
        // The same build as the hatch this test project references.
        Assert.Equal(CliVersion.Describe(), result.Out.Trim());
    }

    [Fact]
    public async Task TheInstalledToolDraftsAnArticleFromASampleAnywhere()
    {
        // From a folder with no prompts, settings or samples around it: everything it needs came in the package.
        var sample = RepositoryRoot.Combine("samples", "readwise.csv");
        var result = await HatchProcess.RunAsync(tool.Command, ["article", sample, "--author", "Ada"], HatchProcess.Settings(), tool.WorkingDirectory);

        Assert.True(result.Exit == 0, result.Err);
        Assert.StartsWith("# ", result.Out);
        Assert.Contains("Hatched by Ada", result.Out);
        Assert.Contains("## Sources", result.Out);
    }

    [Fact]
    public async Task TheInstalledToolRefusesBadInputWithExitCodeTwo()
    {
        var result = await HatchProcess.RunAsync(tool.Command, ["article", "no-such-file.csv"], HatchProcess.Settings(), tool.WorkingDirectory);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.Contains("no-such-file.csv: no such file", result.Err);
        Assert.Empty(result.Out);
    }

    [GeneratedRegex(@"^hatch \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)$")]
    private static partial Regex VersionLine();
}
