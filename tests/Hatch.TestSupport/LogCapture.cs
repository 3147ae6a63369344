using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hatch.TestSupport;

/// <summary>
/// One log entry as a log backend would see it: the rendered message, its structured values, and every scope in
/// force (dictionary scopes by key, any other scope as text).
/// </summary>
public sealed record CapturedLog(
    string Category, LogLevel Level, string Message, string? Exception,
    IReadOnlyDictionary<string, object?> Values, IReadOnlyDictionary<string, object?> Scope, IReadOnlyList<string> ScopeText)
{
    /// <summary>Everything the entry carries, as one line a test can search (e.g. for a leaked secret).</summary>
    public override string ToString() =>
        $"{Level} {Category}: {Message} | {Describe(Values)} | scope: {Describe(Scope)} {string.Join(", ", ScopeText)} | {Exception}";

    private static string Describe(IReadOnlyDictionary<string, object?> pairs) => string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>
/// A logger provider for tests that keeps every entry with its values and scopes (as the OpenTelemetry and JSON
/// console exporters do), so tests can ask what an operator would find in the logs.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>();
            var scopeText = new List<string>();
            owner._scopes.ForEachScope((value, _) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, item) in pairs) scope[key] = item;
                else if (value is not null)
                    scopeText.Add(value.ToString() ?? "");
            }, (object?)null);
            var values = state is IEnumerable<KeyValuePair<string, object?>> statePairs
                ? statePairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : new Dictionary<string, object?>();
            owner._entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), exception?.ToString(), values, scope, scopeText));
        }
    }
}
