using System.Text.Json;
using Hatch.TestSupport;

namespace Hatch.Cli.Tests;

public sealed class ArticleCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Samples => RepositoryRoot.Combine("samples");

    internal static string Sample(string name) => Path.Combine(Samples, name);

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task ASampleExportBecomesAMarkdownArticleWithSources()
    {
        var (exit, output, error) = await Run("article", Path.Combine(Samples, "readwise.csv"), "--author", "Ada");

        Assert.True(exit == 0, error);
        Assert.StartsWith("# ", output);
        Assert.Contains("Hatched by Ada", output);
        Assert.Contains("## Sources", output);
        Assert.Matches(@"\[\d+\] "".+"" — ", output);
    }

    [Fact]
    public async Task AnotherLanguageOfflineIsRefusedOnceInTheArticleAndOnceOnStderr()
    {
        var (exit, output, error) = await Run("article", Sample("readwise.csv"), "--language", "fr");

        Assert.True(exit == 0, error);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "cannot translate"));
        Assert.Contains("cannot translate", error);
        Assert.DoesNotContain("cannot translate", (await Run("article", Sample("readwise.csv"))).Err);
    }

    [Fact]
    public async Task EachStyleGivesADifferentArticleOffline()
    {
        var essay = (await Run("article", Sample("kindle-my-clippings.txt"), "--style", "essay")).Out;
        var briefing = (await Run("article", Sample("kindle-my-clippings.txt"), "--style", "briefing")).Out;
        var newsletter = (await Run("article", Sample("kindle-my-clippings.txt"), "--style", "newsletter")).Out;

        Assert.Equal(3, new[] { essay, briefing, newsletter }.Distinct().Count());
        Assert.Contains("Bottom line:", briefing);
        Assert.Contains("Why it matters:", newsletter);
    }

    [Theory]
    [InlineData("kindle-my-clippings.txt")]
    [InlineData("readwise.csv")]
    [InlineData("glasp.json")]
    [InlineData("glasp.csv")]
    [InlineData("hypothesis.json")]
    [InlineData("highlights.md")]
    [InlineData("highlights.json")]
    public async Task EverySampleFormatIsDetectedAndDrafted(string sample)
    {
        var (exit, output, error) = await Run("article", Path.Combine(Samples, sample), "--output", "json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("article").GetProperty("sections").GetArrayLength() >= 1);
        Assert.True(json.RootElement.GetProperty("highlights").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task AMissingFileExitsWithTwoAndSaysWhichFile()
    {
        var (exit, output, error) = await Run("article", Path.Combine(_dir, "nope.csv"));

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("nope.csv: no such file", error);
    }

    [Fact]
    public async Task AnUnreadableFileExitsWithTwoAndNamesTheFile()
    {
        var path = Write("random.txt", "just some words\nthat are not an export\n");

        var (exit, _, error) = await Run("article", path);

        Assert.Equal(2, exit);
        Assert.Contains("random.txt", error);
        Assert.DoesNotContain("   at ", error); // no stack trace
    }

    [Fact]
    public async Task AnUnknownOutputFormatIsABadOption()
    {
        var (exit, _, error) = await Run("article", Path.Combine(Samples, "readwise.csv"), "--output", "pdf");

        Assert.Equal(2, exit);
        Assert.Contains("pdf", error);
    }

    [Fact]
    public async Task ABadSinceDateIsReported()
    {
        var (exit, _, error) = await Run("article", Path.Combine(Samples, "readwise.csv"), "--since", "yesterday-ish");

        Assert.Equal(2, exit);
        Assert.Contains("--since", error);
    }

    [Fact]
    public async Task StrictModeRejectsAFileWithOneBadRecordThatLenientModeSkips()
    {
        var csv = "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at,Document tags\n"
            + "\"Practice deliberately, with feedback, every day.\",Peak,Anders Ericsson,,,yellow,,location,10,2024-01-02 10:00:00+00:00,\n"
            + ",Peak,Anders Ericsson,,,yellow,,location,11,2024-01-02 10:00:00+00:00,\n"
            + "\"You should sleep well to remember what you learned.\",Why We Sleep,Matthew Walker,,,yellow,,location,12,2024-01-03 10:00:00+00:00,\n";
        var path = Write("one-bad.csv", csv);

        var lenient = await Run("article", path);
        var strict = await Run("article", path, "--strict");

        Assert.Equal(0, lenient.Exit);
        Assert.Contains("one-bad.csv:3", lenient.Err);
        Assert.Equal(2, strict.Exit);
        Assert.Contains("one-bad.csv:3", strict.Err);
    }

    [Fact]
    public async Task TheTagFilterKeepsOnlyTaggedHighlights()
    {
        // samples/highlights.json tags three of its eleven highlights "focus": the draft holds those three and no other.
        var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Samples, "highlights.json"))).RootElement.GetProperty("highlights");
        var tagged = sample.EnumerateArray()
            .Where(h => h.TryGetProperty("tags", out var tags) && tags.EnumerateArray().Any(t => t.GetString() == "focus"))
            .Select(h => h.GetProperty("text").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, tagged.Length);

        var (exit, output, error) = await Run("article", Path.Combine(Samples, "highlights.json"), "--tag", "focus", "--output", "json");

        Assert.True(exit == 0, error);
        var used = JsonDocument.Parse(output).RootElement.GetProperty("highlights").EnumerateArray()
            .Select(h => (h.TryGetProperty("text", out var text) ? text : h.GetProperty("highlight").GetProperty("text")).GetString()!)
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(tagged, used);

        (exit, output, error) = await Run("article", Path.Combine(Samples, "highlights.json"), "--tag", "no-such-tag-anywhere");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("no-such-tag-anywhere", error);
    }

    [Fact]
    public async Task OutWritesTheFileAndPrintsNothingOnStdout()
    {
        var target = Path.Combine(_dir, "article.html");

        var (exit, output, error) = await Run("article", Path.Combine(Samples, "readwise.csv"), "--output", "html", "--out", target);

        Assert.True(exit == 0, error);
        Assert.Empty(output);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(target));
    }

    [Fact]
    public async Task MaxHighlightsCapsTheInputAndSaysHowManyWereLeftOut()
    {
        var (exit, output, error) = await Run("article", Path.Combine(Samples, "readwise.csv"), "--max-highlights", "3", "--output", "json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(3, json.RootElement.GetProperty("highlights").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("provenance").GetProperty("highlightsLeftOut").GetInt32() > 0);
    }

    [Fact]
    public async Task SameInputGivesTheSameArticle()
    {
        var file = Path.Combine(Samples, "kindle-my-clippings.txt");

        var first = await Run("article", file);
        var second = await Run("article", file);

        Assert.Equal(0, first.Exit);
        Assert.Equal(StripByline(first.Out), StripByline(second.Out));
    }

    private static string StripByline(string markdown) =>
        string.Join('\n', markdown.Split('\n').Where(l => !l.StartsWith("*Hatched by")));

    [Fact]
    public async Task HelpDocumentsEveryOption()
    {
        var (exit, output, _) = await Run("article", "--help");

        Assert.Equal(0, exit);
        // Every option the command defines (not a list kept by hand), each with its description beside it.
        var command = Hatch.Cli.Commands.ArticleCommand.Create(TextWriter.Null, TextWriter.Null, Hatch.Cli.Hosting.CliProgress.None);
        Assert.True(command.Options.Count >= 14, $"article has {command.Options.Count} options");
        foreach (var option in command.Options)
        {
            var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().Split(' ', ',').Contains(option.Name));
            Assert.True(line is not null, $"--help does not list {option.Name}");
            Assert.Contains(option.Description!.Split(' ')[0], line);
        }
    }
}

public sealed class HatchProcessTests
{
    [Fact]
    public async Task TheRealCommandExitsWithTwoOnBadInputAndPrintsNoStackTrace()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hatch.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "article", "/definitely/not/here.csv"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("/definitely/not/here.csv: no such file", error);
        Assert.DoesNotContain("Exception", error);
    }

    [Fact]
    public async Task AnArticleLoadsNoDatabaseIdentityJobOrWebCode()
    {
        // `hatch article` needs importers and a writer only; the database, Identity, Hangfire and ASP.NET Core stay
        // unloaded (they cost start-up time and, for ASP.NET Core, a runtime the machine may not have).
        var dll = Path.Combine(AppContext.BaseDirectory, "hatch.dll");
        var loaded = Path.GetTempFileName();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "article", ArticleCommandTests.Sample("readwise.csv")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["DOTNET_STARTUP_HOOKS"] = typeof(HatchProcessTests).Assembly.Location,
                ["HATCH_LOADED_ASSEMBLIES"] = loaded,
                // Embedding the file's highlights loads MiniLM, which is allowed but slow; the writer alone is the point here.
                ["Hatch__Embeddings__Provider"] = "None",
            },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.StartsWith("# ", output);
        var assemblies = await File.ReadAllLinesAsync(loaded);
        File.Delete(loaded);
        Assert.Contains("Hatch.Writing", assemblies);
        var forbidden = assemblies.Where(a =>
            a.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || a.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)
            || a.StartsWith("Npgsql", StringComparison.Ordinal) || a.StartsWith("Hangfire", StringComparison.Ordinal)
            || a.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || a.StartsWith("Microsoft.Extensions.Identity", StringComparison.Ordinal)
            || a is "Hatch.Data" or "Hatch.Features").ToArray();
        Assert.True(forbidden.Length == 0, "hatch article loaded " + string.Join(", ", forbidden));
    }
}
