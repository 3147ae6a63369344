using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Hatch.Cli.Hosting;

/// <summary>What a step counts: highlights, migrations, megabytes; <see cref="Scale"/> turns the raw count into it.</summary>
public sealed record ProgressUnit(string Name, double Scale = 1, string Format = "N0")
{
    public static readonly ProgressUnit Megabytes = new("MB", 1024 * 1024, "N1");

    public string Show(double raw) => (raw / Scale).ToString(Format, CultureInfo.InvariantCulture);
}

/// <summary>
/// Progress of long work (reading a large export, drafting from many highlights, storing, exporting, migrating): a bar
/// per step with its counts, rate and elapsed time, drawn on standard error, and only when standard error is a
/// terminal and <c>--quiet</c> was not given. Otherwise the work runs exactly the same and prints nothing, so a
/// redirected or scripted run gets the result alone; errors are the commands' own lines on stderr either way.
/// </summary>
public sealed class CliProgress(IAnsiConsole? terminal)
{
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print nothing but the result: no progress bars (they are drawn only on a terminal anyway).",
        Recursive = true,
    };

    /// <summary>No terminal: nothing is drawn (tests, pipes, files).</summary>
    public static readonly CliProgress None = new(null);

    /// <summary>The console to draw on when standard error is a terminal that understands cursor movement; else null.</summary>
    public static IAnsiConsole? StandardErrorTerminal()
    {
        if (Console.IsErrorRedirected || Environment.GetEnvironmentVariable("TERM") is "dumb") return null;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
        });
    }

    /// <summary>Runs <paramref name="work"/>, drawing its steps when this run shows progress.</summary>
    public async Task<T> RunAsync<T>(ParseResult parse, Func<ProgressSteps, Task<T>> work)
    {
        if (terminal is null || parse.GetValue(Quiet)) return await work(ProgressSteps.Silent);
        var units = new ConcurrentDictionary<int, ProgressUnit>();
        return await terminal.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new CountColumn(units),
                new RateColumn(units),
                new ElapsedTimeColumn(),
                new SpinnerColumn())
            .StartAsync(context => work(new ProgressSteps(context, units)));
    }

    public Task RunAsync(ParseResult parse, Func<ProgressSteps, Task> work) =>
        RunAsync(parse, async steps =>
        {
            await work(steps);
            return true;
        });

    /// <summary>"1,234/40,000 highlights", or "1,234 highlights" while the total is unknown.</summary>
    private sealed class CountColumn(ConcurrentDictionary<int, ProgressUnit> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var unit = units.GetValueOrDefault(task.Id) ?? new ProgressUnit("");
            if (unit.Name.Length == 0) return Text.Empty;
            var text = task.IsIndeterminate ? $"{unit.Show(task.Value)} {unit.Name}" : $"{unit.Show(task.Value)}/{unit.Show(task.MaxValue)} {unit.Name}";
            return new Text(text.TrimEnd());
        }
    }

    /// <summary>"2,300 highlights/s", from Spectre's own moving average.</summary>
    private sealed class RateColumn(ConcurrentDictionary<int, ProgressUnit> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var unit = units.GetValueOrDefault(task.Id) ?? new ProgressUnit("");
            return unit.Name.Length > 0 && task.Speed is { } speed && speed > 0 && !task.IsFinished
                ? new Text($"{unit.Show(speed)} {unit.Name}/s", new Style(Color.Grey))
                : Text.Empty;
        }
    }
}

/// <summary>The steps of one piece of long work; silent when no progress is shown.</summary>
public sealed class ProgressSteps
{
    internal static readonly ProgressSteps Silent = new(null, null);

    private readonly ProgressContext? _context;
    private readonly ConcurrentDictionary<int, ProgressUnit>? _units;

    internal ProgressSteps(ProgressContext? context, ConcurrentDictionary<int, ProgressUnit>? units) => (_context, _units) = (context, units);

    /// <summary>Nothing is drawn: work may take its quickest road.</summary>
    public bool IsSilent => _context is null;

    /// <summary>A new step; without a <paramref name="total"/> it shows a count and a spinner until it is given one.</summary>
    public ProgressStep Add(string description, ProgressUnit unit, double? total = null)
    {
        if (_context is null) return ProgressStep.Silent;
        var task = _context.AddTask(Markup.Escape(description), maxValue: total ?? 100);
        task.IsIndeterminate = total is null;
        _units![task.Id] = unit;
        return new ProgressStep(task);
    }
}

/// <summary>One bar.</summary>
public sealed class ProgressStep
{
    internal static readonly ProgressStep Silent = new(null);

    private readonly ProgressTask? _task;

    internal ProgressStep(ProgressTask? task) => _task = task;

    public void Advance(double amount) => _task?.Increment(amount);

    public void Total(double total)
    {
        if (_task is null) return;
        _task.MaxValue = Math.Max(total, 1);
        _task.IsIndeterminate = false;
    }

    public void Describe(string description)
    {
        if (_task is not null) _task.Description = Markup.Escape(description);
    }

    public void Complete()
    {
        if (_task is null) return;
        if (_task.IsIndeterminate) Total(Math.Max(_task.Value, 1));
        _task.Value = _task.MaxValue;
        _task.StopTask();
    }
}
