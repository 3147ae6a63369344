using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Hatch.Cli.Hosting;

/// <summary>
/// Log entries as the command's own lines on stderr ("hatch: warning: …"), without category, event id or exception
/// stack; <c>--verbose</c> switches back to the full console format.
/// </summary>
public sealed class BriefConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "hatch-brief";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrWhiteSpace(message)) message = logEntry.Exception?.Message;
        if (string.IsNullOrWhiteSpace(message)) return;
        var level = logEntry.LogLevel switch
        {
            LogLevel.Critical or LogLevel.Error => "error",
            LogLevel.Warning => "warning",
            _ => "note",
        };
        textWriter.WriteLine($"hatch: {level}: {message.ReplaceLineEndings(" ")}");
    }
}
