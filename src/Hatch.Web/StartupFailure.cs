using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Hatch.Web;

/// <summary>
/// A setting the app cannot start with (a value the options validators refuse, one the binder cannot convert, a
/// database schema behind its migrations) ends the process with one readable line naming it and exit code
/// <see cref="ExitCode"/>, not an unhandled exception with its stack (exit 134). The stack is logged at Debug.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>The exit code of a refused start, the same as `hatch` uses for a bad setting (docs/web.md).</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// Whether this process is the app itself (`dotnet Hatch.Web.dll`). A host that runs Program as a library, such
    /// as WebApplicationFactory in the tests, gets the exception instead, to report as it sees fit.
    /// </summary>
    public static bool IsOwnProcess => Assembly.GetEntryAssembly() == typeof(StartupFailure).Assembly;

    /// <summary>Whether <paramref name="exception"/> is a refused setting rather than a bug; the test host's own stop signal never is.</summary>
    public static bool IsSettingError(Exception exception) => exception switch
    {
        OptionsValidationException => true,
        SchemaBehindException => true,
        // The configuration binder names the key it could not convert, e.g. "Failed to convert configuration value at 'Hatch:Jobs:WorkerCount'".
        InvalidOperationException { InnerException: not null } e when e.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase) => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsSettingError),
        _ => false,
    };

    /// <summary>One line per problem, each naming the setting (e.g. <c>Hatch:RateLimits:HatchesPerMinute</c>).</summary>
    public static IReadOnlyList<string> Describe(Exception exception) => exception switch
    {
        OptionsValidationException v => v.Failures.Select(f => NameTheSetting(v.OptionsType, f)).ToList(),
        AggregateException a => a.InnerExceptions.SelectMany(Describe).ToList(),
        _ => [exception.Message],
    };

    /// <summary>
    /// Reports <paramref name="exception"/> through the app's logger when there is one (else on stderr) and returns
    /// the exit code. Disposing the app afterwards flushes the console logger.
    /// </summary>
    public static int Report(Exception exception, IServiceProvider? services)
    {
        ILogger? logger;
        try
        {
            logger = services?.GetService<ILoggerFactory>()?.CreateLogger("Hatch.Startup");
        }
        catch (ObjectDisposedException)
        {
            logger = null; // a host that failed while starting may already be disposed (as under a test host)
        }
        foreach (var line in Describe(exception))
        {
            if (logger is null) Console.Error.WriteLine($"Hatch.Web: cannot start: {line}");
            else LogRefused(logger, line);
        }
        if (logger is not null) LogStack(logger, exception);
        return ExitCode;
    }

    [LoggerMessage(LogLevel.Critical, "Cannot start: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);

    [LoggerMessage(LogLevel.Debug, "Where the start was refused")]
    private static partial void LogStack(ILogger logger, Exception exception);

    /// <summary>
    /// Data annotations name only the property ("'HatchesPerMinute' with the error: …"); prefixing the options' section
    /// gives the key an operator sets. Hand-written validators already name their keys and are left as they are.
    /// </summary>
    private static string NameTheSetting(Type optionsType, string failure)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success) return failure;
        var section = optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;
        var key = section is null ? match.Groups["member"].Value : $"{section}:{match.Groups["member"].Value}";
        return $"{key}: {match.Groups["error"].Value}";
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '(?<member>[^']*)' with the error: '(?<error>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}

/// <summary>The database's schema is behind the code's migrations and this process may not migrate it.</summary>
public sealed class SchemaBehindException(string message) : InvalidOperationException(message);
