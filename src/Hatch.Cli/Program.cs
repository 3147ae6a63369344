using Hatch.Cli;
using Hatch.Cli.Hosting;

// Progress is drawn on stderr only when it is a terminal; redirected, a run prints its result alone.
return await CliApp.RunAsync(args, Console.Out, Console.Error, progress: new CliProgress(CliProgress.StandardErrorTerminal()));
