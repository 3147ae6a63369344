using Hatch.Cli.Hosting;

namespace Hatch.Cli.Tests;

/// <summary>`hatch article` holds files to the same Hatch:Limits as the web app, with the same words.</summary>
public sealed class ImportLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hatch-cli-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AHighlightOverTheDefaultLengthLimitIsRefusedWithItsFileAndLine()
    {
        var path = Path.Combine(_dir, "long.md");
        await File.WriteAllTextAsync(path, "# A book\n\n- A short passage on practice.\n- " + new string('x', 10_001) + "\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["article", path], stdout, stderr);

        Assert.Equal(ExitCodes.BadInput, exit);
        var error = stderr.ToString();
        Assert.Contains("long.md:4", error);
        Assert.Contains("the limit is 10,000 (Hatch:Limits:MaxHighlightLength)", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", stdout.ToString());
    }
}
