using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hatch.Bench;
using Hatch.Domain.Highlights;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Importing;
// A Stopwatch harness rather than BenchmarkDotNet: the question is "under 200 ms / 2 s / 300 MB, and how does
// it grow", which a warmed-up median answers in seconds instead of minutes.
var mode = args.FirstOrDefault() ?? "article";
if (mode is "import") return await ImportBench.RunAsync(args[1..]);
if (mode is not "article")
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Hatch.Bench -- article [sizes...] | import [clippings]");
    return 2;
}
int[] sizes = args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [1_000, 2_000, 5_000, 10_000, 20_000];
const int Warmup = 2;
const int Iterations = 7;

var pipeline = new ArticlePipeline(new ExtractiveArticleWriter(TimeProvider.System), new HighlightSelector(), TimeProvider.System);
var options = new HatchOptions();
Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}; median of {Iterations} after {Warmup} warm-up runs");
Console.WriteLine();
Console.WriteLine($"{"n",7} {"import ms",10} {"article ms",11} {"total ms",9} {"cold ms",8} {"alloc MB",9} {"vs 1k",7} {"n log n",8} {"peak WS MB",11}");

double? baseline = null;
var baseN = sizes[0];
foreach (var n in sizes)
{
    var generated = Generator.Highlights(n, seed: 42);
    var csv = Generator.ReadwiseCsv(generated);

    var importTimes = new List<double>();
    var articleTimes = new List<double>();
    long allocated = 0;
    double cold = 0;
    string? importNote = null;
    for (var run = 0; run < Warmup + Iterations; run++)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Highlight> highlights = generated;
        try
        {
            // The importers land from another branch; until then import is reported as unavailable.
            highlights = HighlightImporters.Default.Import(csv, "bench.csv", "auto").Highlights;
        }
        catch (ImportException ex)
        {
            importNote = ex.Message;
        }
        var imported = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var draft = await pipeline.HatchAsync(highlights, options);
        var written = clock.Elapsed.TotalMilliseconds;
        if (draft.Highlights.Count == 0) throw new InvalidOperationException("empty draft");
        if (run == 0) cold = imported + written;
        if (run < Warmup) continue;
        importTimes.Add(importNote is null ? imported : 0);
        articleTimes.Add(written);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    var import = Median(importTimes);
    var article = Median(articleTimes);
    var total = import + article;
    baseline ??= total;
    var ratio = total / baseline.Value;
    var nlogn = n * Math.Log(n) / (baseN * Math.Log(baseN));
    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{n,7} {(importNote is null ? import.ToString("F1", CultureInfo.InvariantCulture) : "n/a"),10} {article,11:F1} {total,9:F1} {cold,8:F1} {allocated / (1024.0 * 1024),9:F1} {ratio,6:F2}x {nlogn,7:F2}x {peak,11:F0}"));
    if (importNote is not null && n == sizes[0])
        Console.WriteLine($"        import skipped: {importNote}");
}
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

namespace Hatch.Bench
{
    /// <summary>Readable, varied highlights from a handful of topics, the same for a given seed.</summary>
    internal static class Generator
    {
        private static readonly string[][] Topics =
        [
            ["deliberate", "practice", "feedback", "skill", "expert", "coach", "repetition", "mastery", "performance", "training", "habit", "plateau"],
            ["sleep", "memory", "brain", "rest", "night", "dream", "caffeine", "bedroom", "fatigue", "nap", "circadian", "melatonin"],
            ["budget", "money", "savings", "expense", "income", "debt", "interest", "spending", "account", "investment", "retirement", "inflation"],
            ["writing", "draft", "sentence", "editor", "reader", "story", "paragraph", "revision", "clarity", "voice", "outline", "argument"],
            ["leadership", "team", "trust", "meeting", "decision", "manager", "culture", "delegation", "conflict", "goal", "hiring", "feedback"],
            ["attention", "focus", "distraction", "email", "notification", "deep", "work", "phone", "calendar", "boredom", "flow", "context"],
        ];

        private static readonly string[] Frames =
        [
            "The {0} of a {1} depends on {2} more than on talent.",
            "You should protect your {0} because {1} and {2} suffer without it.",
            "Most people misjudge how {0} shapes {1}, and the cost shows up later in {2}.",
            "Track your {0} for a week and notice what happens to {1} and {2}.",
            "Research on {0} finds that {1} improves when {2} is steady, e.g. across several months.",
            "A small change in {0} compounds into better {1} over a year of {2}.",
            "Avoid treating {0} as separate from {1}; both feed {2}.",
            "Dr. Lee argues that {0} is less about {1} than about {2}.",
            "When {0} fails, look first at {1}, then at {2}.",
            "Nobody talks about {0}, yet {1} and {2} rest on it.",
        ];

        public static IReadOnlyList<Highlight> Highlights(int count, int seed)
        {
            var random = new Random(seed);
            var list = new List<Highlight>(count);
            for (var i = 0; i < count; i++)
            {
                var topic = Topics[random.Next(Topics.Length)];
                string Word() => topic[random.Next(topic.Length)];
                var text = new StringBuilder();
                var sentences = 1 + random.Next(3);
                for (var s = 0; s < sentences; s++)
                    text.Append(s > 0 ? " " : "").Append(string.Format(CultureInfo.InvariantCulture, Frames[random.Next(Frames.Length)], Word(), Word(), Word()));
                list.Add(new Highlight
                {
                    Text = text.ToString(),
                    Note = random.Next(8) == 0 ? $"Try the {Word()} idea with the {Word()} next week." : null,
                    Source = new HighlightSource($"Book {i % 97}", $"Author {i % 31}"),
                    Location = new HighlightLocation(Location: $"{100 + i}"),
                    HighlightedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i),
                });
            }
            return list;
        }

        /// <summary>The same highlights as a Readwise CSV export, quoted the way Readwise quotes.</summary>
        public static string ReadwiseCsv(IReadOnlyList<Highlight> highlights)
        {
            var csv = new StringBuilder("Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at,Document tags\n");
            foreach (var h in highlights)
            {
                csv.Append(Quote(h.Text)).Append(',').Append(Quote(h.Source.Title)).Append(',').Append(Quote(h.Source.Author ?? ""))
                    .Append(",,").Append(Quote(h.Note ?? "")).Append(",yellow,,location,").Append(h.Location?.Location).Append(',')
                    .Append(h.HighlightedAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(",\n");
            }
            return csv.ToString();
        }

        private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
