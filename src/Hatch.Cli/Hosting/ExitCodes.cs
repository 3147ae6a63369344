namespace Hatch.Cli.Hosting;

/// <summary>Exit codes every `hatch` command uses.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something unexpected: a bug, a database outage, a cancelled run (with --verbose, the stack).</summary>
    public const int Failed = 1;
    /// <summary>The input was wrong: a bad option, a missing file, an unreadable export, a bad setting.</summary>
    public const int BadInput = 2;
    /// <summary>
    /// The language model failed: it refused, could not be reached, or gave no valid article after the retries; the
    /// reason is one line on stderr. It shares 2 with <see cref="BadInput"/> because both end with a reason a person
    /// can act on (README, issue 22); 1 is left for the unexpected.
    /// </summary>
    public const int ModelFailed = 2;
}
