using System.CommandLine;
using Hatch.Cli.Hosting;
using Hatch.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Commands;

/// <summary>
/// `hatch export --user EMAIL --out library.zip`: the user's library as a zip of Obsidian-ready Markdown, the same
/// files <c>GET /api/export/library.zip</c> gives (one per source, YAML front matter, each highlight a quote).
/// </summary>
public static class ExportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, CliProgress progress)
    {
        var user = new Option<string>("--user") { Description = "The email of the user whose library to export.", Required = true };
        var output = new Option<string>("--out") { Description = "The zip file to write (replaced if it exists).", Required = true };
        var command = new Command("export", "Write a user's library as a zip of Obsidian-ready Markdown, one file per source.") { user, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var email = parse.GetValue(user)!.Trim();
            var path = Path.GetFullPath(parse.GetValue(output)!);
            if (OutputFile.Problem(parse.GetValue(output)!) is { } problem)
            {
                await stderr.WriteLineAsync($"hatch: {problem}");
                return ExitCodes.BadInput;
            }
            using var host = CliHost.BuildDatabase(stderr: stderr);
            await using var scope = host.Services.CreateAsyncScope();
            var (userId, exit) = await LibraryImport.FindUserAsync(scope.ServiceProvider, email, stderr, cancellationToken);
            if (userId is null) return exit;

            // Written beside the target and moved over it, so a failed export never leaves half a zip behind.
            var temporary = path + ".partial";
            try
            {
                await progress.RunAsync(parse, async steps =>
                {
                    var writing = steps.Add($"Exporting to {Path.GetFileName(path)}", new ProgressUnit("sources"));
                    await using (var file = File.Create(temporary))
                        await scope.ServiceProvider.GetRequiredService<HatchDbContext>().WriteLibraryZipAsync(userId, file, cancellationToken,
                            (written, total) =>
                            {
                                writing.Total(total);
                                writing.Advance(1);
                            });
                    writing.Complete();
                });
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                File.Delete(temporary);
                await stderr.WriteLineAsync($"hatch: {OutputFile.Describe(parse.GetValue(output)!, ex)}");
                return ExitCodes.BadInput;
            }
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            await stdout.WriteLineAsync($"Exported {zip.Entries.Count} source(s) to {path}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
