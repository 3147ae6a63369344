using System.Diagnostics;
using System.Text;

namespace Hatch.Web.Tests;

/// <summary>
/// The built web app (`dotnet Hatch.Web.dll`) started outside a checkout keeps its default SQLite library where the
/// `hatch` command does: under HATCH_HOME when set, else the user's data folder; never in the current folder.
/// </summary>
public sealed class LibraryLocationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hatch-web-library-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string BuiltWebApp =>
        Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Hatch.Web.Tests"), Path.Combine("src", "Hatch.Web")), "Hatch.Web.dll");

    /// <summary>Starts the app, waits (with a deadline) until <paramref name="library"/> exists and the log says so, then stops it.</summary>
    private async Task<string> StartUntilTheLibraryExistsAsync(string? hatchHome, string library)
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "somewhere")).FullName;
        var start = new ProcessStartInfo("dotnet", [BuiltWebApp, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = elsewhere,
            Environment =
            {
                ["HOME"] = Path.Combine(_root, "home"),
                ["XDG_DATA_HOME"] = Path.Combine(_root, "xdg"),
                ["HATCH_HOME"] = hatchHome ?? "",
                ["ConnectionStrings__Hatch"] = "",
                ["Hatch__Embeddings__Provider"] = "None",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                string seen;
                lock (output) seen = output.ToString();
                if (File.Exists(library) && seen.Contains("Application started")) return seen;
                Assert.False(process.HasExited, $"the app stopped (exit {(process.HasExited ? process.ExitCode : 0)}):\n{seen}");
                Assert.True(DateTime.UtcNow < deadline, $"no library at {library} 90 s after start:\n{seen}");
                await Task.Delay(100);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.False(Directory.Exists(Path.Combine(elsewhere, "data")), "a library was created in the current folder");
        }
    }

    [Fact]
    public async Task OutsideACheckoutTheWebAppKeepsItsLibraryInTheUsersDataFolder()
    {
        var library = Path.Combine(_root, "xdg", "hatch", "data", "hatch.db");
        var log = await StartUntilTheLibraryExistsAsync(hatchHome: null, library);
        Assert.Contains($"Created a new library at {library}", log);
    }

    [Fact]
    public async Task HatchHomeChoosesTheWebAppsLibraryFolder()
    {
        var home = Path.Combine(_root, "my-hatch");
        var library = Path.Combine(home, "data", "hatch.db");
        var log = await StartUntilTheLibraryExistsAsync(home, library);
        Assert.Contains($"Created a new library at {library}", log);
        Assert.False(Directory.Exists(Path.Combine(_root, "xdg", "hatch")));
    }
}
