using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Hatch.Cli.Tests;

/// <summary>Runs `hatch` (or anything) as a real process: with its output redirected, or on a pseudo-terminal.</summary>
internal static class HatchProcess
{
    public sealed record Result(int Exit, string Out, string Err);

    /// <summary>The `hatch` this test project was built with.</summary>
    public static string HatchDll => Path.Combine(AppContext.BaseDirectory, "hatch.dll");

    /// <summary>The folder of the running .NET, for an app host (an installed tool) to find it.</summary>
    public static string DotnetRoot =>
        Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? root
            : Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>Settings every run gets: no MiniLM (slow to load, and not what these tests are about).</summary>
    public static Dictionary<string, string> Settings(string? database = null)
    {
        var environment = new Dictionary<string, string> { ["Hatch__Embeddings__Provider"] = "None", ["DOTNET_ROOT"] = DotnetRoot };
        if (database is not null) environment["ConnectionStrings__Hatch"] = $"Data Source={database}";
        return environment;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time. stderr: {await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Runs <paramref name="commandLine"/> on a pseudo-terminal (util-linux `script`), as a person at a terminal would:
    /// standard output and error are both the terminal, so what is returned is everything they would have seen.
    /// </summary>
    public static Task<Result> RunOnTerminalAsync(string commandLine, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var withTerminal = new Dictionary<string, string>(environment) { ["TERM"] = "xterm-256color", ["COLUMNS"] = "120" };
        return RunAsync("script", ["--quiet", "--return", "--command", commandLine, "/dev/null"], withTerminal, workingDirectory);
    }

    public static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";
}
