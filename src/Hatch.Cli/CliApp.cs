using System.CommandLine;
using Hatch.Cli.Commands;
using Hatch.Cli.Hosting;

namespace Hatch.Cli;

/// <summary>The `hatch` command: one subcommand per task, each defined in Commands/.</summary>
public static class CliApp
{
    /// <summary>Every command takes it: log at Debug and show the stack of an unexpected error.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show diagnostic logging and, for an unexpected error, its stack trace.",
        Recursive = true,
    };

    public static RootCommand BuildRootCommand(TextWriter stdout, TextWriter stderr, CliProgress? progress = null)
    {
        progress ??= CliProgress.None;
        var root = new RootCommand("Hatch turns the passages you highlight into structured articles that cite them.")
        {
            CliProgress.Quiet,
            ArticleCommand.Create(stdout, stderr, progress),
            ImportCommand.Create(stdout, stderr, progress),
            ExportCommand.Create(stdout, stderr, progress),
            DbCommand.Create(stdout, stderr, progress),
            UsersCommand.Create(stdout, stderr),
            LlmCommand.Create(stdout, stderr),
            Verbose,
        };
        CliVersion.Use(root, stdout);
        return root;
    }

    /// <param name="progress">Where long work draws its progress; none (the default) for output that is not a terminal.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, CliProgress? progress = null)
    {
        var root = BuildRootCommand(stdout, stderr, progress);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await stderr.WriteLineAsync($"hatch: {error.Message}");
            await stderr.WriteLineAsync("Run 'hatch --help' for usage.");
            return ExitCodes.BadInput;
        }
        if (parse.Action is System.CommandLine.Help.HelpAction && parse.CommandResult.Command == root)
            root.Description += $"\n\nYour library: {CliHost.DescribeLibrary()}.";
        var verbose = parse.GetValue(Verbose);
        CliHost.Verbose = verbose;
        try
        {
            // Errors are reported below, as one line; System.CommandLine's own handler prints the whole stack.
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("hatch: cancelled.");
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            await stderr.WriteLineAsync($"hatch: unexpected error ({ex.GetType().Name}): {ex.Message}");
            await stderr.WriteLineAsync(verbose ? ex.ToString() : "Run the command again with --verbose to see where it happened.");
            return ExitCodes.Failed;
        }
    }
}
