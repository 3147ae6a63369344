using System.Diagnostics;

namespace Hatch.Web.Tests;

/// <summary>
/// The built app (`dotnet Hatch.Web.dll`, as an operator starts it) refused a setting: one readable line that names
/// it, exit code 2 (docs/web.md), and no stack trace.
/// </summary>
public sealed class BadSettingExitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-bad-setting-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The app as built in src/Hatch.Web/bin, beside its own runtimeconfig and deps files.</summary>
    private static string BuiltWebApp =>
        Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Hatch.Web.Tests"), Path.Combine("src", "Hatch.Web")), "Hatch.Web.dll");

    private async Task<(int Exit, string Output)> StartAsync(params (string Key, string Value)[] settings)
    {
        var start = new ProcessStartInfo("dotnet", [BuiltWebApp, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _dir,
            Environment =
            {
                ["HATCH_HOME"] = _dir,
                ["XDG_DATA_HOME"] = _dir,
                ["ConnectionStrings__Hatch"] = $"Data Source={Path.Combine(_dir, "hatch.db")}",
                ["Hatch__Embeddings__Provider"] = "None",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        foreach (var (key, value) in settings) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the app kept running with a bad setting: " + await output + await error);
        }
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task ARateLimitOfZeroEndsTheAppWithExitTwoAndOneLineNamingTheSetting()
    {
        var (exit, output) = await StartAsync(("Hatch__RateLimits__HatchesPerMinute", "0"));

        Assert.True(exit == 2, $"exit {exit}:\n{output}");
        Assert.Contains("Hatch:RateLimits:HatchesPerMinute", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task AValueTheBinderCannotReadEndsTheAppWithExitTwoNamingTheKey()
    {
        var (exit, output) = await StartAsync(("Hatch__Jobs__WorkerCount", "many"));

        Assert.True(exit == 2, $"exit {exit}:\n{output}");
        Assert.Contains("Hatch:Jobs:WorkerCount", output);
        Assert.DoesNotContain("   at ", output);
    }
}
