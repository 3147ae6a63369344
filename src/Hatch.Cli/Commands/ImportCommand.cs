using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hatch.Cli.Hosting;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Writing.Importing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Commands;

/// <summary>
/// `hatch import FILE... [--format F] [--dry-run] [--user EMAIL] [--output text|json]`: reads export files and says what
/// each holds (highlights, duplicates, notes, bookmarks, passages cut short by the device, entries skipped and why),
/// and with --user stores the new highlights in that user's library. Without --user, or with --dry-run, no database
/// is opened: the writing host alone reads the files.
/// </summary>
public static class ImportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // The report quotes titles and reasons in the reader's own language; keep them readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One file's report, as `--output json` prints it (one object a line).</summary>
    public sealed record FileReport(
        string File, string? Format, int Highlights, int Duplicates, int Notes, int NotesWithoutHighlight, int Bookmarks,
        int TruncatedByDevice, IReadOnlyList<Entry> Skipped, IReadOnlyList<Entry> Warnings, bool Stored, string? Error = null);

    /// <summary>An entry not imported (or imported with something unread): where it is and why.</summary>
    public sealed record Entry(int? Line, string Reason);

    public static Command Create(TextWriter stdout, TextWriter stderr, CliProgress progress)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Highlight export files (Kindle My Clippings.txt in any language, Readwise CSV, Glasp, Hypothesis JSON, Hatch JSON, Markdown).",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format")
        {
            Description = "The files' format; 'auto' tells it from each file's content.",
            DefaultValueFactory = _ => HighlightImporters.AutoFormat,
        };
        format.AcceptOnlyFromAmong([HighlightImporters.AutoFormat, .. HighlightImporters.Default.Formats]);
        var dryRun = new Option<bool>("--dry-run") { Description = "Read and report only; store nothing (the default without --user)." };
        var user = new Option<string?>("--user") { Description = "Store the new highlights in the library of the user with this email." };
        var output = new Option<string>("--output", "-o") { Description = "The report as text, or as JSON (one object per file, one a line).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var strict = new Option<bool>("--strict") { Description = "Refuse a file with any broken record instead of skipping the record." };
        var includeDiscarded = new Option<bool>("--include-discarded") { Description = "Import Readwise highlights you discarded in review (skipped and counted by default)." };

        var command = new Command("import", "Read highlight export files and report what they hold; with --user, add the new highlights to a library.")
        {
            files, format, dryRun, user, output, strict, includeDiscarded,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var email = parse.GetValue(user)?.Trim();
            var store = email is { Length: > 0 } && !parse.GetValue(dryRun);
            var asJson = parse.GetValue(output) == "json";
            using var host = store ? CliHost.BuildDatabase(importers: true, stderr: stderr) : CliHost.BuildWriting();
            var importers = host.Services.GetRequiredService<HighlightImporters>();
            if (parse.GetValue(includeDiscarded)) importers = importers.With(new ReadwiseCsvImporter { IncludeDiscarded = true });

            await using var scope = host.Services.CreateAsyncScope();
            string? userId = null;
            if (store)
            {
                var (id, exit) = await LibraryImport.FindUserAsync(scope.ServiceProvider, email!, stderr, cancellationToken);
                if (id is null) return exit;
                userId = id;
            }

            var anyRead = false;
            foreach (var file in parse.GetValue(files) ?? [])
            {
                FileReport report;
                if (!File.Exists(file))
                {
                    var reason = file.StartsWith('-') ? $"{file}: unknown option." : $"{file}: no such file.";
                    await stderr.WriteLineAsync($"hatch: {reason}");
                    report = Failed(file, reason);
                }
                else
                {
                    try
                    {
                        var (result, stored) = await progress.RunAsync(parse, async steps =>
                        {
                            var read = await ProgressReading.ImportFileAsync(
                                importers, file, parse.GetValue(format)!, parse.GetValue(strict), steps, cancellationToken);
                            int? added = userId is null ? null
                                : await LibraryImport.StoreAsync(scope.ServiceProvider, userId, read, steps, cancellationToken);
                            return (read, added);
                        });
                        var (imported, known) = stored is { } count ? (count, result.Highlights.Count - count) : (result.Highlights.Count, 0);
                        report = ToReport(file, result, imported, result.Duplicates + known, userId is not null);
                        anyRead |= result.ReadAnything;
                        if (!result.ReadAnything)
                            await stderr.WriteLineAsync($"hatch: {file}: no highlights, notes or bookmarks could be read from this {result.Format} file.");
                    }
                    catch (ImportException ex)
                    {
                        await stderr.WriteLineAsync($"hatch: {ImportMessages.Describe(ex)}");
                        foreach (var issue in ex.Issues.Take(20))
                            await stderr.WriteLineAsync($"  {issue}");
                        report = Failed(file, ImportMessages.Describe(ex));
                    }
                }
                if (asJson) await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Json));
                else await WriteText(stdout, report);
            }
            if (!anyRead) await stderr.WriteLineAsync("hatch: nothing could be read from the given files.");
            return anyRead ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }

    private static FileReport ToReport(string file, ImportResult result, int imported, int duplicates, bool stored) => new(
        file, result.Format, imported, duplicates, result.Notes, result.KeptNotes.Count, result.Bookmarks, result.TruncatedByDevice,
        result.NotImported.Select(ToEntry).ToArray(), result.Warnings.Select(ToEntry).ToArray(), stored);

    private static Entry ToEntry(ImportIssue issue) => new(issue.Line, issue.JsonPath is null ? issue.Message : $"{issue.JsonPath}: {issue.Message}");

    private static FileReport Failed(string file, string reason) => new(file, null, 0, 0, 0, 0, 0, 0, [], [], false, reason);

    private static async Task WriteText(TextWriter stdout, FileReport r)
    {
        if (r.Error is not null) return; // already said on stderr
        var stored = r.Stored ? "imported" : "new (dry run: nothing stored)";
        await stdout.WriteLineAsync(
            $"{r.File} ({r.Format}): {r.Highlights} highlight{S(r.Highlights)} {stored}, {r.Duplicates} duplicate{S(r.Duplicates)}, " +
            $"{r.Notes} note{S(r.Notes)} ({r.NotesWithoutHighlight} without a highlight{(r.Stored && r.NotesWithoutHighlight > 0 ? ", kept on their books" : "")}), {r.Bookmarks} bookmark{S(r.Bookmarks)} skipped, " +
            $"{r.TruncatedByDevice} cut short by the device, {r.Skipped.Count} entr{(r.Skipped.Count == 1 ? "y" : "ies")} not imported");
        foreach (var entry in r.Skipped)
            await stdout.WriteLineAsync($"  not imported: {Where(r.File, entry)}{entry.Reason}");
        foreach (var entry in r.Warnings)
            await stdout.WriteLineAsync($"  warning: {Where(r.File, entry)}{entry.Reason}");
    }

    private static string Where(string file, Entry entry) => entry.Line is { } line ? $"{Path.GetFileName(file)}:{line}: " : "";

    private static string S(int count) => count == 1 ? "" : "s";
}

/// <summary>
/// The database half of `hatch import --user`, kept out of <see cref="ImportCommand"/>'s own methods so that a dry run
/// never loads EF Core, Identity or a database driver (the JIT loads what a method names when it compiles it).
/// </summary>
internal static class LibraryImport
{
    private const int StoreBatch = 500;

    /// <summary>The user's id, or null and an exit code after saying why (no such user, a database behind its migrations).</summary>
    public static async Task<(string? Id, int Exit)> FindUserAsync(IServiceProvider services, string email, TextWriter stderr, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<HatchDatabase>();
        if ((await database.PendingMigrationsAsync(cancellationToken)).Count > 0)
        {
            await stderr.WriteLineAsync("hatch: the database schema is behind; run `hatch db migrate` first.");
            return (null, ExitCodes.Failed);
        }
        var user = await services.GetRequiredService<UserManager<HatchUser>>().FindByEmailAsync(email);
        if (user is null)
        {
            await stderr.WriteLineAsync($"hatch: --user: no user has the email {email}; they register first (or use `hatch users add {email} --role editor`).");
            return (null, ExitCodes.BadInput);
        }
        return (user.Id, ExitCodes.Ok);
    }

    /// <summary>
    /// Stores the highlights the library does not have yet, and keeps the notes that annotate none on their books;
    /// returns how many highlights were new.
    /// </summary>
    public static async Task<int> StoreAsync(
        IServiceProvider services, string userId, ImportResult result, ProgressSteps steps, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<HatchDbContext>();
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var stored = 0;
        if (steps.IsSilent)
        {
            stored = (await db.AddNewHighlightsAsync(userId, result.Highlights, now, cancellationToken)).Count;
        }
        else
        {
            // In batches, so the bar moves; each batch is checked against what the ones before it stored, so a
            // passage is still stored once.
            var storing = steps.Add("Storing highlights", new ProgressUnit("highlights"), result.Highlights.Count);
            foreach (var batch in result.Highlights.Chunk(StoreBatch))
            {
                stored += (await db.AddNewHighlightsAsync(userId, batch, now, cancellationToken)).Count;
                storing.Advance(batch.Length);
            }
            storing.Complete();
        }
        await db.AddNewSourceNotesAsync(userId, result.KeptNotes, now, cancellationToken);
        return stored;
    }
}
