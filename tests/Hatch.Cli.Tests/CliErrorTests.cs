using System.Diagnostics;
using Hatch.Cli.Hosting;
using System.Net;
using System.Net.Sockets;

namespace Hatch.Cli.Tests;

/// <summary>
/// The promise of README's "Exit codes": a mistake in the command line or a file the command cannot write ends with
/// one readable line and exit 2, and a failed model call with its reason and exit 1; never a stack trace.
/// </summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-cli-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// The command as built (src/Hatch.Cli/bin/…), not the copy in this test's output: that copy runs without the
    /// packages ASP.NET Core's shared framework supplies to the test (System.Threading.RateLimiting).
    /// </summary>
    private static string BuiltCli =>
        Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Hatch.Cli.Tests"), Path.Combine("src", "Hatch.Cli")), "hatch.dll");

    private static void NoStack(string error) => Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", error);

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task AMaxHighlightsThatIsNotAPositiveNumberIsABadInputNotACrash(string value)
    {
        var (exit, _, error) = await Run("article", ArticleCommandTests.Sample("readwise.csv"), "--max-highlights", value);

        Assert.Equal(2, exit);
        Assert.Contains("--max-highlights", error);
        NoStack(error);
    }

    [Fact]
    public async Task OutIntoAMissingFolderOrAtAFolderNamesThePathAndExitsWithTwo()
    {
        var missing = Path.Combine(_dir, "no-such-folder", "article.md");
        var (exit, _, error) = await Run("article", ArticleCommandTests.Sample("readwise.csv"), "--out", missing);
        Assert.Equal(2, exit);
        Assert.Contains($"--out {missing}: the folder {Path.GetDirectoryName(missing)} does not exist", error);
        NoStack(error);

        (exit, _, error) = await Run("article", ArticleCommandTests.Sample("readwise.csv"), "--out", _dir);
        Assert.Equal(2, exit);
        Assert.Contains($"--out {_dir}: that is a folder", error);
        NoStack(error);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task StrictModeListsEachRejectedRecordOnce()
    {
        var file = Path.Combine(_dir, "readwise.csv");
        await File.WriteAllTextAsync(file,
            "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at\n" +
            "Salt gets into the ledgers.,The Harbour Book,Ines Duarte,,,,,order,1,2020-11-26 03:28:15\n" +
            ",The Harbour Book,Ines Duarte,,,,,order,2,2020-11-26 03:29:00\n");

        var (exit, _, error) = await Run("article", file, "--strict");

        Assert.Equal(2, exit);
        Assert.Contains("1 record was rejected", error);
        Assert.Single(error.Split('\n'), l => l.Contains("readwise.csv:3:"));
    }

    [Fact]
    public async Task AFailedModelCallEndsWithItsReasonInAFewLinesAndNoStack()
    {
        // A port nothing listens on: the real client gets "connection refused" on every try.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var dll = BuiltCli;
        var start = new ProcessStartInfo("dotnet", [dll, "article", ArticleCommandTests.Sample("readwise.csv"),
            "--provider", "OpenAICompatible", "--endpoint", $"http://127.0.0.1:{port}/v1", "--model", "test-model"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["Hatch__Llm__RetryBaseDelay"] = "00:00:00.010",
                ["Hatch__Embeddings__Provider"] = "None",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(ExitCodes.ModelFailed, process.ExitCode);
        Assert.Equal("", await output);
        NoStack(error);
        Assert.DoesNotContain("Exception:", error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 6, "stderr:\n" + error);
        Assert.StartsWith($"hatch: Could not reach the provider at http://127.0.0.1:{port}/v1", lines[^1]);
    }

    [Fact]
    public async Task AModelServerAnswering500EndsWithOneReadableLineAndNoStackUnlessVerbose()
    {
        await using var server = await Hatch.TestSupport.FakeOpenAIServer.StartAsync();
        server.DefaultReply = Hatch.TestSupport.FakeReply.Error(500, "The server had an error while processing your request.");
        string[] command = [BuiltCli, "article", ArticleCommandTests.Sample("readwise.csv"),
            "--provider", "OpenAICompatible", "--endpoint", server.OpenAIEndpoint.ToString(), "--model", "test-model"];
        var settings = new Dictionary<string, string> { ["Hatch__Llm__RetryBaseDelay"] = "00:00:00.010", ["Hatch__Embeddings__Provider"] = "None" };

        var plain = await HatchProcess.RunAsync("dotnet", command, settings, _dir);

        Assert.Equal(2, plain.Exit); // README "Exit codes": a failed model call is 2, like bad input; 1 is for the unexpected
        Assert.Equal("", plain.Out);
        NoStack(plain.Err);
        Assert.DoesNotContain("Exception", plain.Err);
        var lines = plain.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("hatch: ", lines[^1]);
        Assert.Contains("500", lines[^1]);
        Assert.True(lines.Length <= 6, "stderr:\n" + plain.Err);

        var verbose = await HatchProcess.RunAsync("dotnet", [.. command, "--verbose"], settings, _dir);

        Assert.Equal(2, verbose.Exit);
        Assert.Matches(@"(?m)^\s+at \S+\(", verbose.Err);
    }

    [Fact]
    public async Task VerboseShowsTheDiagnosticsTheDefaultLeavesOut()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var dll = BuiltCli;
        var start = new ProcessStartInfo("dotnet", [dll, "article", ArticleCommandTests.Sample("readwise.csv"), "--verbose",
            "--provider", "OpenAICompatible", "--endpoint", $"http://127.0.0.1:{port}/v1", "--model", "test-model"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["Hatch__Llm__RetryBaseDelay"] = "00:00:00.010", ["Hatch__Embeddings__Provider"] = "None" },
        };
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(ExitCodes.ModelFailed, process.ExitCode);
        Assert.Contains("HttpRequestException", error);
    }

    [Fact]
    public async Task AMarkdownDocumentIsRefusedWithTheReasonAndTheOptionThatReadsItAnyway()
    {
        var readme = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ArticleCommandTests.Sample("readwise.csv")))!, "README.md");

        var (exit, output, error) = await Run("article", readme);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("README.md: this reads as a Markdown document, not a list of highlights", error);
        Assert.Contains("use --format markdown", error);
    }

    [Fact]
    public async Task AFileOfNoKnownFormatListsTheFormatsToChooseFrom()
    {
        var file = Path.Combine(_dir, "notes.txt");
        await File.WriteAllTextAsync(file, "just some words\nwith no structure\n");

        var (exit, _, error) = await Run("article", file);

        Assert.Equal(2, exit);
        Assert.Contains("notes.txt: cannot tell the format of this file; use --format kindle|readwise|glasp|hypothesis|json|markdown", error);
    }
}
