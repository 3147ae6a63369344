using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Hatch.Cli.Hosting;

/// <summary>
/// `hatch --version`: "hatch 0.1.0 (commit 1a2b3c4d5e6f)". The SDK's source control support appends the commit it was
/// built from to the informational version ("0.1.0+SHA"); a build outside a git checkout prints the version alone.
/// </summary>
public static class CliVersion
{
    public static string Describe()
    {
        var informational = typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        if (plus < 0) return $"hatch {informational}";
        var commit = informational[(plus + 1)..];
        return $"hatch {informational[..plus]} (commit {commit[..Math.Min(12, commit.Length)]})";
    }

    /// <summary>Makes the root command's --version print <see cref="Describe"/> to <paramref name="stdout"/>.</summary>
    public static void Use(RootCommand root, TextWriter stdout)
    {
        foreach (var option in root.Options.OfType<VersionOption>())
            option.Action = new PrintVersion(stdout);
    }

    private sealed class PrintVersion(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            stdout.WriteLine(Describe());
            return ExitCodes.Ok;
        }
    }
}
