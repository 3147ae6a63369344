using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hatch.LibraryBench;

/// <summary>
/// With <c>HATCH_BENCH_TRACE=ms</c>, prints every EF Core command that ran, or kept its reader open, for at least
/// that many milliseconds: where an operation's database time goes, without a profiler.
/// </summary>
internal sealed class CommandTrace(double thresholdMs) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    public static IDisposable? Start()
    {
        if (!double.TryParse(Environment.GetEnvironmentVariable("HATCH_BENCH_TRACE"), out var ms)) return null;
        return DiagnosticListener.AllListeners.Subscribe(new CommandTrace(ms));
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) listener.Subscribe(this);
    }

    /// <summary>Only while this is set (the import), so building the library prints nothing.</summary>
    public static volatile bool Active;

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (!Active) return;
        switch (e.Value)
        {
            case CommandExecutedEventData executed when executed.Duration.TotalMilliseconds >= thresholdMs:
                Console.WriteLine($"  [trace] executed {executed.Duration.TotalMilliseconds,8:0.0} ms  {Short(executed.Command.CommandText)}");
                break;
            case DataReaderDisposingEventData disposing when disposing.Duration.TotalMilliseconds >= thresholdMs:
                Console.WriteLine($"  [trace] reader   {disposing.Duration.TotalMilliseconds,8:0.0} ms  {disposing.ReadCount} rows  {Short(disposing.Command.CommandText)}");
                break;
        }
    }

    private static string Short(string sql)
    {
        var flat = string.Join(' ', sql.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }
}
