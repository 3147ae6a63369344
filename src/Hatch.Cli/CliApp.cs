using System.CommandLine;
using Hatch.Cli.Commands;

namespace Hatch.Cli;

/// <summary>Exit codes every `hatch` command uses.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something went wrong that is not the user's input: a failed model call, a database outage.</summary>
    public const int Failed = 1;
    /// <summary>The input was wrong: a bad option, a missing file, an unreadable export.</summary>
    public const int BadInput = 2;
}

/// <summary>The `hatch` command: one subcommand per task, each defined in Commands/.</summary>
public static class CliApp
{
    public static RootCommand BuildRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("Hatch turns the passages you highlight into structured articles that cite them.")
        {
            ArticleCommand.Create(stdout, stderr),
            DbCommand.Create(stdout, stderr),
            UsersCommand.Create(stdout, stderr),
            LlmCommand.Create(stdout, stderr),
        };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await stderr.WriteLineAsync($"hatch: {error.Message}");
            await stderr.WriteLineAsync("Run 'hatch --help' for usage.");
            return ExitCodes.BadInput;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken);
    }
}
