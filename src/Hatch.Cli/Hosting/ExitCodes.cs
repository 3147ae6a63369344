namespace Hatch.Cli.Hosting;

/// <summary>Exit codes every `hatch` command uses.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something went wrong that is not the user's input: a failed model call, a database outage.</summary>
    public const int Failed = 1;
    /// <summary>The input was wrong: a bad option, a missing file, an unreadable export.</summary>
    public const int BadInput = 2;
}
