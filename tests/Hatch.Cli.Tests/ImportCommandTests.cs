using System.Text.Json;
using Hatch.Cli.Hosting;

namespace Hatch.Cli.Tests;

/// <summary>`hatch import` as a new user runs it on their export files: what each file holds, in text or JSON.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A German Kindle's file: two highlights (one re-highlighted), a note on one, a note alone, a bookmark, an empty entry.</summary>
    internal const string GermanClippings =
        "\uFEFFDie Gezeiten (Ada Lane)\r\n- Ihre Markierung bei Position 100-102 | Hinzugefügt am Montag, 3. März 2025 08:01:02\r\n\r\nDas Meer hat keine Eile.\r\n==========\r\n" +
        "\uFEFFDie Gezeiten (Ada Lane)\r\n- Ihre Markierung bei Position 100-104 | Hinzugefügt am Montag, 3. März 2025 08:02:00\r\n\r\nDas Meer hat keine Eile. Es kommt trotzdem an.\r\n==========\r\n" +
        "\uFEFFDie Gezeiten (Ada Lane)\r\n- Ihre Notiz bei Position 104 | Hinzugefügt am Montag, 3. März 2025 08:03:00\r\n\r\nStimmt für Ebbe wie Flut.\r\n==========\r\n" +
        "\uFEFFDie Gezeiten (Ada Lane)\r\n- Ihr Lesezeichen bei Position 300 | Hinzugefügt am Montag, 3. März 2025 08:04:00\r\n\r\n\r\n==========\r\n" +
        "\uFEFFDie Gezeiten (Ada Lane)\r\n- Ihre Markierung auf Seite 20 | bei Position 410-411 | Hinzugefügt am Montag, 3. März 2025 08:05:00\r\n\r\n\r\n==========\r\n" +
        "\uFEFFHafenbuch (Ines Duarte)\r\n- Ihre Notiz bei Position 9 | Hinzugefügt am Montag, 3. März 2025 08:06:00\r\n\r\nNachlesen.\r\n==========\r\n" +
        "\uFEFFHafenbuch (Ines Duarte)\r\n- Ihre Markierung bei Position 50-51 | Hinzugefügt am Montag, 3. März 2025 08:07:00\r\n\r\nJeder Hafen ist ein Handel mit dem Meer.\r\n==========\r\n";

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ADryRunPrintsOneJsonObjectPerFileWithEveryCount()
    {
        var kindle = Write("My Clippings.txt", GermanClippings);
        var readwise = Write("readwise.csv",
            "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at\n" +
            "Salt gets into the ledgers.,The Harbour Book,Ines Duarte,,,,favorite,order,1,2020-11-26 03:28:15\n" +
            "Walls remember storms.,The Harbour Book,Ines Duarte,,,,discard,order,2,2020-11-26 03:29:00\n");

        var (exit, output, error) = await Run("import", kindle, readwise, "--dry-run", "--output", "json");

        Assert.True(exit == ExitCodes.Ok, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var k = first.RootElement;
        Assert.Equal(kindle, k.GetProperty("file").GetString());
        Assert.Equal("kindle", k.GetProperty("format").GetString());
        Assert.Equal(2, k.GetProperty("highlights").GetInt32());
        Assert.Equal(1, k.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, k.GetProperty("notes").GetInt32());
        Assert.Equal(1, k.GetProperty("notesWithoutHighlight").GetInt32());
        Assert.Equal(1, k.GetProperty("bookmarks").GetInt32());
        Assert.Equal(0, k.GetProperty("truncatedByDevice").GetInt32());
        var skipped = Assert.Single(k.GetProperty("skipped").EnumerateArray());
        Assert.Equal(21, skipped.GetProperty("line").GetInt32());
        Assert.Contains("missing highlight text", skipped.GetProperty("reason").GetString());

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("readwise", second.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, second.RootElement.GetProperty("highlights").GetInt32());
        Assert.Contains("discarded", second.RootElement.GetProperty("skipped")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TheTextReportSaysWhatWasSkippedAndWhere()
    {
        var kindle = Write("My Clippings.txt", GermanClippings);

        var (exit, output, _) = await Run("import", kindle);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("(kindle): 2 highlights new (dry run: nothing stored), 1 duplicate, 2 notes (1 without a highlight), 1 bookmark skipped", output);
        Assert.Contains("not imported: My Clippings.txt:21: missing highlight text", output);
    }

    [Fact]
    public async Task AFileWithNothingReadableExitsWithTwoAndTheReasonButNoStackTrace()
    {
        var junk = Write("notes.bin", "just some words\nwith no format at all\n");

        var (exit, output, error) = await Run("import", junk, "--output", "json");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("notes.bin: cannot tell the format", error);
        Assert.DoesNotContain("   at ", error);
        using var report = JsonDocument.Parse(output.Trim());
        Assert.Contains("cannot tell the format", report.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AMissingFileIsNamedAndOthersAreStillRead()
    {
        var kindle = Write("My Clippings.txt", GermanClippings);

        var (exit, _, error) = await Run("import", Path.Combine(_dir, "gone.txt"), kindle);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("gone.txt: no such file", error);
    }
}

/// <summary>`hatch import --user` against a throwaway SQLite database, as an operator would run it.</summary>
[Collection(nameof(DatabaseEnvironment))]
public sealed class ImportIntoLibraryTests
{
    [Fact]
    public async Task ImportingTwiceStoresTheHighlightsOnceAndADryRunStoresNothing()
    {
        using var database = new ThrowawayDatabase("hatch-cli-import-");
        var folder = database.Folder;
        static Task<(int Exit, string Out, string Err)> Run(params string[] args) => ThrowawayDatabase.RunAsync(args);
        int Highlights(string json) => JsonDocument.Parse(json).RootElement.GetProperty("highlights").GetInt32();
        int Duplicates(string json) => JsonDocument.Parse(json).RootElement.GetProperty("duplicates").GetInt32();

        var file = Path.Combine(folder, "My Clippings.txt");
        await File.WriteAllTextAsync(file, ImportCommandTests.GermanClippings);
        Assert.Equal(ExitCodes.Ok, (await Run("db", "migrate")).Exit);
        Assert.Equal(ExitCodes.Ok, (await Run("users", "add", "ada@example.com", "--role", "editor", "--password", "Passw0rd!x")).Exit);

        var unknown = await Run("import", file, "--user", "nobody@example.com");
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);
        Assert.Contains("no user has the email nobody@example.com", unknown.Err);

        var dry = await Run("import", file, "--user", "ada@example.com", "--dry-run", "--output", "json");
        Assert.Equal(2, Highlights(dry.Out));
        Assert.False(JsonDocument.Parse(dry.Out).RootElement.GetProperty("stored").GetBoolean());

        var first = await Run("import", file, "--user", "ada@example.com", "--output", "json");
        Assert.True(first.Exit == ExitCodes.Ok, first.Err);
        Assert.Equal(2, Highlights(first.Out));
        Assert.True(JsonDocument.Parse(first.Out).RootElement.GetProperty("stored").GetBoolean());

        // The dry run stored nothing, so the first real import found both new; the second finds both known.
        var again = await Run("import", file, "--user", "ada@example.com", "--output", "json");
        Assert.Equal(0, Highlights(again.Out));
        Assert.Equal(3, Duplicates(again.Out));

        // "Nachlesen." annotates no highlight of Hafenbuch: it is kept once on its book, with its place, not as a highlight.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "hatch.db")}");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT Text, SourceTitle, Location FROM source_notes";
        using var rows = query.ExecuteReader();
        Assert.True(rows.Read());
        Assert.Equal(("Nachlesen.", "Hafenbuch", "9"), (rows.GetString(0), rows.GetString(1), rows.GetString(2)));
        Assert.False(rows.Read());
    }
}

public sealed class ImportProcessTests
{
    [Fact]
    public async Task ADryRunLoadsNoDatabaseOrIdentityCode()
    {
        // Reading and reporting needs the importers only; --user without --dry-run is what opens a database.
        var dll = Path.Combine(AppContext.BaseDirectory, "hatch.dll");
        var loaded = Path.GetTempFileName();
        var file = Path.Combine(Path.GetTempPath(), $"hatch-import-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, ImportCommandTests.GermanClippings);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "import", file, "--user", "ada@example.com", "--dry-run", "--output", "json"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["DOTNET_STARTUP_HOOKS"] = typeof(ImportProcessTests).Assembly.Location,
                ["HATCH_LOADED_ASSEMBLIES"] = loaded,
            },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(file);

        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("\"highlights\":2", output);
        var assemblies = await File.ReadAllLinesAsync(loaded);
        File.Delete(loaded);
        var forbidden = assemblies.Where(a =>
            a.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || a.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)
            || a.StartsWith("Npgsql", StringComparison.Ordinal) || a.StartsWith("Microsoft.Extensions.Identity", StringComparison.Ordinal)
            || a is "Hatch.Data").ToArray();
        Assert.True(forbidden.Length == 0, "hatch import --dry-run loaded " + string.Join(", ", forbidden));
    }
}

/// <summary>`hatch export --user` against a throwaway SQLite database.</summary>
[Collection(nameof(DatabaseEnvironment))]
public sealed class ExportCommandTests
{
    [Fact]
    public async Task ExportWritesTheLibraryAsAZipOfMarkdownAndTheSameFilesEachTime()
    {
        using var database = new ThrowawayDatabase("hatch-cli-export-");
        static Task<(int Exit, string Out, string Err)> Run(params string[] args) => ThrowawayDatabase.RunAsync(args);
        var file = Path.Combine(database.Folder, "My Clippings.txt");
        await File.WriteAllTextAsync(file, ImportCommandTests.GermanClippings);
        Assert.Equal(ExitCodes.Ok, (await Run("db", "migrate")).Exit);
        Assert.Equal(ExitCodes.Ok, (await Run("users", "add", "ada@example.com", "--role", "editor", "--password", "Passw0rd!x")).Exit);
        var imported = await Run("import", file, "--user", "ada@example.com");
        Assert.True(imported.Exit == ExitCodes.Ok, imported.Err);

        var unknown = await Run("export", "--user", "nobody@example.com", "--out", Path.Combine(database.Folder, "x.zip"));
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);

        var zip = Path.Combine(database.Folder, "library.zip");
        var first = await Run("export", "--user", "ada@example.com", "--out", zip);
        Assert.True(first.Exit == ExitCodes.Ok, first.Err);
        Assert.Contains("Exported 2 source(s)", first.Out);
        using (var archive = System.IO.Compression.ZipFile.OpenRead(zip))
        {
            var names = archive.Entries.Select(e => e.FullName).Order().ToList();
            Assert.Equal(2, names.Count);
            Assert.StartsWith("Die Gezeiten - Ada Lane ", names[0]);
            using var reader = new StreamReader(archive.GetEntry(names[0])!.Open());
            var text = await reader.ReadToEndAsync();
            Assert.StartsWith("---\ntitle: \"Die Gezeiten\"\nauthor: \"Ada Lane\"\n", text);
            Assert.Contains("> Das Meer hat keine Eile. Es kommt trotzdem an.", text);
            Assert.Matches(@"> — loc\. 100.104 · 2025-03-03\n\n\^h[0-9a-f]{12}\n", text);
        }
        var bytes = await File.ReadAllBytesAsync(zip);
        Assert.Equal(ExitCodes.Ok, (await Run("export", "--user", "ada@example.com", "--out", zip)).Exit);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(zip));
    }
}
