using System.Text;
using System.Text.RegularExpressions;
using Hatch.Cli.Hosting;

namespace Hatch.Cli.Tests;

/// <summary>
/// Long work shows progress on a terminal (a bar per step with its counts) and nothing when the output is redirected
/// or --quiet is given; errors stay on stderr with exit code 2 either way. Each test runs the real `hatch`.
/// </summary>
public sealed partial class ProgressTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-progress-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A Markdown export of <paramref name="count"/> distinct highlights over a few books.</summary>
    private string Library(int count, string name = "library.md")
    {
        var text = new StringBuilder();
        for (var book = 0; book < 10; book++)
        {
            text.Append("# Book ").Append(book).Append(" - Author ").Append(book).Append("\n\n");
            for (var i = book; i < count; i += 10)
                text.Append("- Passage ").Append(i).Append(" says that deliberate practice with feedback on attempt ").Append(i)
                    .Append(" beats repetition, and that writing notes about reading number ").Append(i % 37).Append(" helps memory.\n");
            text.Append('\n');
        }
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string Hatch(params string[] args) =>
        string.Join(' ', new[] { "dotnet", HatchProcess.HatchDll }.Concat(args).Select(HatchProcess.Quote));

    private Dictionary<string, string> Environment => HatchProcess.Settings(Path.Combine(_dir, "hatch.db"));

    [Fact]
    public async Task RedirectedOutputCarriesTheResultAloneEvenForLargeWork()
    {
        var library = Library(2_000);
        var result = await HatchProcess.RunAsync("dotnet", [HatchProcess.HatchDll, "article", library], Environment);

        Assert.True(result.Exit == 0, result.Err);
        Assert.StartsWith("# ", result.Out);
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.True(result.Err.Length == 0, "stderr should be empty, got: " + result.Err);
    }

    [Fact]
    public async Task OnATerminalEachLongStepShowsABarWithItsCounts()
    {
        var library = Library(6_000);
        var migrate = await HatchProcess.RunOnTerminalAsync(Hatch("db", "migrate"), Environment, _dir);
        Assert.True(migrate.Exit == 0, migrate.Out);
        Assert.Matches(@"Migrating: \S+ .*\d+/\d+ migrations", Plain(migrate.Out));

        var users = await HatchProcess.RunAsync("dotnet", [HatchProcess.HatchDll, "users", "add", "reader@example.com", "--role", "editor"], Environment);
        Assert.True(users.Exit == 0, users.Err);

        var import = Plain((await HatchProcess.RunOnTerminalAsync(Hatch("import", library, "--user", "reader@example.com"), Environment, _dir)).Out);
        Assert.Matches(@"Reading library\.md .*\d+\.\d/\d+\.\d MB", import);
        Assert.Matches(@"Storing highlights .*\d[\d,]*/6,000 highlights", import);
        // The rate's unit wraps under its figure on an 80-column terminal, so only the unit is looked for.
        Assert.Contains("highlights/s", import);
        Assert.Contains("library.md (markdown): 6000 highlights imported", import);

        var article = Plain((await HatchProcess.RunOnTerminalAsync(Hatch("article", library), Environment, _dir)).Out);
        Assert.Contains("Drafting from 6,000 highlights: ", article);
        Assert.Matches(@"\d/3 steps", article);
        Assert.Contains("\n# ", "\n" + article);

        var export = await HatchProcess.RunOnTerminalAsync(Hatch("export", "--user", "reader@example.com", "--out", "library.zip"), Environment, _dir);
        Assert.True(export.Exit == 0, export.Out);
        Assert.Matches(@"Exporting to library\.zip .*\d+/10 sources", Plain(export.Out));
    }

    [Fact]
    public async Task QuietOnATerminalPrintsTheResultAlone()
    {
        var library = Library(2_000);
        var article = await HatchProcess.RunOnTerminalAsync(Hatch("article", library, "--quiet"), Environment, _dir);

        Assert.True(article.Exit == 0, article.Out);
        Assert.StartsWith("# ", Plain(article.Out).TrimStart());
        Assert.DoesNotContain("Drafting", article.Out);
        NothingDrawn(article.Out);

        var import = await HatchProcess.RunOnTerminalAsync(Hatch("import", "-q", library), Environment, _dir);
        Assert.True(import.Exit == 0, import.Out);
        Assert.StartsWith($"{library} (markdown): 2000 highlights new", Plain(import.Out).TrimStart());
        NothingDrawn(import.Out);
    }

    /// <summary>No colour and no hidden cursor: .NET's own terminal set-up (keypad mode) is all that may be there.</summary>
    private static void NothingDrawn(string terminal)
    {
        Assert.DoesNotMatch(ColourSequence(), terminal);
        Assert.DoesNotContain("\u001b[?25l", terminal);
    }

    [Fact]
    public async Task OnATerminalABadFileEndsTheBarAndSaysWhyWithExitCodeTwo()
    {
        var tooMany = Library(12_000, "too-many.md");
        var result = await HatchProcess.RunOnTerminalAsync(Hatch("article", tooMany), Environment, _dir);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        var plain = Plain(result.Out);
        Assert.Contains("Reading too-many.md", plain);
        var reason = plain.LastIndexOf("hatch: too-many.md: the file has 12,000 highlights", StringComparison.Ordinal);
        Assert.True(reason >= 0, plain);
        Assert.DoesNotContain("Exception", plain);
        // The bar was cleared before the reason was printed: nothing of it follows.
        Assert.DoesNotContain("Parsing", plain[reason..]);
    }

    /// <summary>What the terminal showed, without colours and cursor movements; each redraw on a line of its own.</summary>
    private static string Plain(string terminal) =>
        CursorSequence().Replace(ColourSequence().Replace(terminal, ""), "\n").Replace("\r", "\n");

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex ColourSequence();

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]|\u001b[=>]")]
    private static partial Regex CursorSequence();
}
