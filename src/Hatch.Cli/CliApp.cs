using System.CommandLine;
using Hatch.Cli.Commands;
using Hatch.Cli.Hosting;

namespace Hatch.Cli;

/// <summary>The `hatch` command: one subcommand per task, each defined in Commands/.</summary>
public static class CliApp
{
    public static RootCommand BuildRootCommand(TextWriter stdout, TextWriter stderr) =>
        new("Hatch turns the passages you highlight into structured articles that cite them.")
        {
            ArticleCommand.Create(stdout, stderr),
            ImportCommand.Create(stdout, stderr),
            ExportCommand.Create(stdout, stderr),
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
