using System.Diagnostics;
using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Llm;
using Hatch.TestSupport;
using Hatch.Writing.Grounding;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// Planned against Single through the whole ArticlePipeline (selection, the real connectors, validation, the MiniLM
/// grounding check), against the fake provider answering every call after a fixed latency. The scenarios run
/// interleaved, one draft each per round, so the machine's other work (two cores shared with builds) weighs on all of
/// them alike; what matters is the ratio. CPU is the whole process's, the fake server's share included.
/// </summary>
internal static class PipelineBench
{
    private static readonly TimeSpan AnswerAfter = TimeSpan.FromMilliseconds(500);

    private static readonly Highlight[] Highlights =
    [
        Highlight("Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake.", "The Sleeping Brain"),
        Highlight("Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick.", "Practice That Lasts"),
        Highlight("Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming.", "Practice That Lasts"),
    ];

    private const string Statistic = "Students who sleep eight hours score 63 percent higher on exams [1, 2, 3].";

    private static Article Reply(bool withStatistic) => new(
        "Memory is made at night and under effort",
        "Sleep, self-testing and spaced sessions each make learning last [1, 2, 3].",
        [
            new ArticleSection("Sleep keeps what the day learned",
                "Students who slept after learning recalled more the next day than students who stayed awake [1, 2, 3]." + (withStatistic ? " " + Statistic : ""), [1, 2, 3]),
            new ArticleSection("Effort makes memories last",
                "Testing yourself is far more effective than rereading [1, 2, 3]. Study spaced over several days lasts longer than cramming [1, 2, 3].", [1, 2, 3]),
        ],
        [
            new AdviceItem("Test yourself", "Pull answers from memory instead of rereading [1, 2, 3].", [1, 2, 3]),
            new AdviceItem("Space your sessions", "Spread study sessions over several days rather than cramming [1, 2, 3].", [1, 2, 3]),
            new AdviceItem("Sleep on it", "Sleep after learning so that more is recalled the next day [1, 2, 3].", [1, 2, 3]),
        ],
        "Sleep, testing and spacing all make learning last.",
        1);

    private sealed record Scenario(string Name, IHost Host, bool WithStatistic)
    {
        public List<double> WallMs { get; } = [];
        public List<double> CpuMs { get; } = [];
        public List<double> CheckMs { get; } = [];
        public int Calls { get; set; }
        public int Flags { get; set; }
    }

    public static async Task<int> RunAsync(int drafts)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Latency = AnswerAfter;
        server.RecordRequests = false;
        var withStatistic = false;
        var plan = JsonSerializer.Serialize(new ArticlePlan("Memory is made at night and under effort",
            [new PlannedSection("Sleep keeps what the day learned", [1, 2], "Sleep and effort both fix memories."),
             new PlannedSection("Effort makes memories last", [2, 3], "Testing and spacing are two kinds of effort.")],
            [new AdviceSeed("Test yourself", [2]), new AdviceSeed("Space your sessions", [3]), new AdviceSeed("Sleep on it", [1])]));
        var repair = JsonSerializer.Serialize(new GroundingRepair([new SentenceRepair(1, "remove", "", [])]));
        server.Responder = request => request.SchemaName switch
        {
            nameof(ArticlePlan) => FakeReply.Text(plan),
            nameof(GroundingRepair) => FakeReply.Text(repair),
            _ => FakeReply.Text(ArticleJson.Serialize(Reply(withStatistic))),
        };

        using var planned = Bench.BuildHost(server.OpenAIEndpoint, new() { ["Hatch:Llm:Pipeline"] = "Planned" });
        // One MiniLM model for both hosts: the same warm model and JIT, and one 0.8 GB model in memory, not two.
        var generator = planned.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        using var single = Bench.BuildHost(server.OpenAIEndpoint, new() { ["Hatch:Llm:Pipeline"] = "Single" }, s => s.AddSingleton(generator));
        Scenario[] scenarios =
        [
            new("Single, reply fully supported", single, false),
            new("Single, one unsupported sentence (flagged, no repair)", single, true),
            new("Planned, reply fully supported (plan + write)", planned, false),
            new("Planned, one unsupported sentence (plan + write + repair + re-check)", planned, true),
        ];

        using var self = Process.GetCurrentProcess();
        double Cpu() { self.Refresh(); return self.TotalProcessorTime.TotalMilliseconds; }
        async Task<DraftDocument> DraftAsync(Scenario scenario)
        {
            withStatistic = scenario.WithStatistic;
            return await scenario.Host.Services.GetRequiredService<ArticlePipeline>().HatchAsync(Highlights, new HatchOptions());
        }

        // Warm-up: connections, JIT, the MiniLM model, outside the measured rounds.
        foreach (var scenario in scenarios)
            for (var i = 0; i < 2; i++) await DraftAsync(scenario);

        for (var round = 0; round < drafts; round++)
        {
            foreach (var scenario in scenarios)
            {
                var calls = server.CallCount;
                var cpu = Cpu();
                var clock = Stopwatch.StartNew();
                var document = await DraftAsync(scenario);
                scenario.WallMs.Add(clock.Elapsed.TotalMilliseconds);
                scenario.CpuMs.Add(Cpu() - cpu);
                scenario.Calls += server.CallCount - calls;
                scenario.Flags += document.Provenance.Grounding?.Unsupported.Count ?? 0;
                scenario.CheckMs.Add(document.Provenance.Steps?.Where(s => s.Name == "check").Sum(s => s.LatencyMs) ?? 0);
            }
        }

        // The check alone, in the same process: the CPU a draft's sentences cost to embed and score.
        var checker = planned.Services.GetRequiredService<GroundingChecker>();
        var numbered = Highlights.Select((h, i) => new NumberedHighlight(i + 1, h)).ToArray();
        var checkCpu = new List<double>();
        for (var i = 0; i < drafts; i++)
        {
            var cpu = Cpu();
            await checker.CheckAsync(Reply(withStatistic: true), numbered);
            checkCpu.Add(Cpu() - cpu);
        }

        Console.WriteLine($"pipeline: {drafts} drafts per scenario, interleaved; fake provider answers each call after {AnswerAfter.TotalMilliseconds:F0} ms; " +
                          $"{Highlights.Length} highlights, 8–9 sentences checked with MiniLM; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine("| scenario | model calls / draft | wall median ms | wall mean ms | wall vs Single | CPU ms / draft (median) | CPU vs Single | check steps ms (median) | flags left / draft |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var baseline = scenarios[0];
        foreach (var s in scenarios)
            Console.WriteLine($"| {s.Name} | {s.Calls / (double)drafts:F1} | {Median(s.WallMs):F0} | {s.WallMs.Average():F0} | {Median(s.WallMs) / Median(baseline.WallMs):F2} | " +
                              $"{Median(s.CpuMs):F0} | {Median(s.CpuMs) / Median(baseline.CpuMs):F2} | {Median(s.CheckMs):F0} | {s.Flags / (double)drafts:F1} |");
        Console.WriteLine($"check alone (GroundingChecker.CheckAsync, 9 sentences + 3 highlights embedded): CPU median {Median(checkCpu):F0} ms, min {checkCpu.Min():F0} ms per draft");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static Highlight Highlight(string text, string source) => new() { Text = text, Source = new HighlightSource(source, null) };
}
