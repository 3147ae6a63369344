using System.Diagnostics;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Embeddings;
using Hatch.Llm;
using Hatch.TestSupport;
using Hatch.Writing;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
// Speed checks for the language-model writer (issue 4):
//   prompt  — prompt building with token counting for 100 / 1,000 / 10,000 candidate highlights (target < 50 ms at 1,000)
//   load    — 200 drafts against a fake provider that answers after 1 s, at most 50 model calls at once
//             (target: within 1.15 × the ideal 4 s)
//   pipeline — Hatch:Llm:Pipeline Planned against Single through ArticlePipeline (MiniLM grounding check), the fake
//             provider answering each call after 0.5 s: wall time and process CPU per draft, interleaved in one run
//   serve   — run the fake provider on 127.0.0.1 until Enter, for trying `hatch llm check` and `hatch article` by hand
var mode = args.FirstOrDefault() ?? "all";
return mode switch
{
    "prompt" => Bench.Prompt(),
    "load" => await Bench.LoadAsync(),
    "pipeline" => await PipelineBench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20),
    "serve" => await Bench.ServeAsync(),
    "profile" => Bench.Profile(),
    "all" => Bench.Prompt() | await Bench.LoadAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Hatch.LlmBench [prompt|load|pipeline [drafts]|serve|profile|all]");
    return 2;
}

internal static class Bench
{
    public static int Prompt()
    {
        var options = Options.Create(new LlmOptions());
        var loading = Stopwatch.StartNew();
        var library = new PromptLibrary(PromptLibrary.ResolveRoot(null));
        var tokens = new TokenCounter(options.Value.Tokenizer);
        var builder = new ArticlePromptBuilder(library, tokens, options);
        Console.WriteLine($"prompt building ({options.Value.Tokenizer}, context {options.Value.ContextTokens:N0} tokens); one-off load of prompts + tokenizer: {loading.ElapsedMilliseconds} ms");
        Console.WriteLine("| candidates | cold median ms | cold min ms | cold CPU ms (all threads, median) | warm median ms | highlights sent | left out | prompt tokens |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failed = false;
        foreach (var count in new[] { 100, 1_000, 10_000 })
        {
            var request = new ArticleRequest(Highlights(count), new ArticleOptions());
            // Warm-up on other never-seen highlights, long enough for tiered JIT to reach its optimised code (a
            // running service is there after its first few hatches); "cold" below means highlights never counted.
            for (var w = 0; w < 10; w++)
                builder.Build(new ArticleRequest(Highlights(count, seed: 1_000 + w), new ArticleOptions()), schemaInPrompt: false);
            var runs = count >= 10_000 ? 5 : 15;
            var times = new List<double>();
            var cpu = new List<double>();
            using var self = Process.GetCurrentProcess();
            ArticlePrompt? prompt = null;
            for (var i = 0; i < runs; i++)
            {
                // A fresh copy each run, so the tokenizer's cache of whole texts cannot help.
                var fresh = new ArticleRequest(Highlights(count, seed: i + 1), new ArticleOptions());
                self.Refresh();
                var cpuBefore = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                prompt = builder.Build(fresh, schemaInPrompt: false);
                times.Add(clock.Elapsed.TotalMilliseconds);
                self.Refresh();
                cpu.Add((self.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }
            times.Sort();
            cpu.Sort();
            var median = times[times.Count / 2];
            // Warm: the same highlights again (the next hatch over the same library), counts remembered.
            var warm = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                builder.Build(request, schemaInPrompt: false);
                warm.Add(clock.Elapsed.TotalMilliseconds);
            }
            warm.Sort();
            Console.WriteLine($"| {count:N0} | {median:F1} | {times[0]:F1} | {cpu[cpu.Count / 2]:F0} | {warm[warm.Count / 2]:F1} | {prompt!.Included.Count:N0} | {prompt.LeftOut.Count:N0} | {prompt.EstimatedPromptTokens:N0} |");
            if (count == 1_000 && median >= 50) failed = true;
        }
        Console.WriteLine(failed ? "FAIL: 1,000 fresh candidates took 50 ms or more (median)" : "ok: 1,000 fresh candidates under 50 ms (median)");
        return failed ? 1 : 0;
    }

    /// <summary>Where prompt building spends its time for 1,000 never-seen highlights: the whole build against its parts.</summary>
    public static int Profile()
    {
        var options = Options.Create(new LlmOptions());
        var tokens = new TokenCounter(options.Value.Tokenizer);
        var builder = new ArticlePromptBuilder(new PromptLibrary(PromptLibrary.ResolveRoot(null)), tokens, options);
        using var self = Process.GetCurrentProcess();
        double Cpu() { self.Refresh(); return self.TotalProcessorTime.TotalMilliseconds; }
        for (var round = 0; round < 40; round++)
        {
            var request = new ArticleRequest(Highlights(1000, seed: round + 1), new ArticleOptions());
            var cpu = Cpu();
            var clock = Stopwatch.StartNew();
            var prompt = builder.Build(request, schemaInPrompt: false);
            var (buildMs, buildCpu) = (clock.Elapsed.TotalMilliseconds, Cpu() - cpu);

            var other = Highlights(1000, seed: round + 500);
            cpu = Cpu();
            clock.Restart();
            var formatted = other.Select(ArticlePromptBuilder.Format).ToArray();
            var formatMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var total = formatted.Sum(tokens.CountMemoized);
            var (countMs, partsCpu) = (clock.Elapsed.TotalMilliseconds, Cpu() - cpu);
            clock.Restart();
            CentralityRanker.Rank(other.Select(h => h.Highlight.Text).ToArray());
            var rankMs = clock.Elapsed.TotalMilliseconds;
            if (round % 5 == 4)
                Console.WriteLine($"build {buildMs:F1} ms (CPU {buildCpu:F0}, {prompt.Included.Count} sent) | one thread: format {formatMs:F1} ms, " +
                                  $"count {countMs:F1} ms ({total:N0} tokens), CPU {partsCpu:F0} | ranking (not needed here) {rankMs:F1} ms");
        }
        return 0;
    }

    public static async Task<int> LoadAsync()
    {
        const int drafts = 200, concurrency = 50;
        var answerAfter = TimeSpan.FromSeconds(1);
        await using var server = await FakeOpenAIServer.StartAsync();
        server.DefaultReply = FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)) with { Delay = answerAfter };
        using var host = BuildHost(server.OpenAIEndpoint, new Dictionary<string, string?>
        {
            ["Hatch:Llm:MaxConcurrentCalls"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var writer = host.Services.GetRequiredService<KernelArticleWriter>();
        var request = new ArticleRequest(Highlights(5), new ArticleOptions());

        // Warm up connections, JIT and the prompt library outside the measured run, then reset the count.
        server.DefaultReply = FakeReply.Text(ArticleJson.ValidJson(1, 2, 3));
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => writer.WriteAsync(request)));
        server.DefaultReply = FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)) with { Delay = answerAfter };
        var before = server.Requests.Count;

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, drafts).Select(_ => writer.WriteAsync(request)));
        clock.Stop();

        var ideal = TimeSpan.FromTicks(answerAfter.Ticks * (long)Math.Ceiling(drafts / (double)concurrency));
        var ratio = clock.Elapsed / ideal;
        Console.WriteLine($"load: {drafts} drafts, concurrency limit {concurrency}, provider answers after {answerAfter.TotalSeconds:F0} s");
        Console.WriteLine($"      {clock.Elapsed.TotalSeconds:F2} s wall clock, ideal {ideal.TotalSeconds:F0} s, ratio {ratio:F3} (target ≤ 1.15); " +
                          $"{server.Requests.Count - before} model calls, {results.Count(r => r.Article is not null)} valid drafts");
        return ratio <= 1.15 ? 0 : 1;
    }

    public static async Task<int> ServeAsync()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        // Articles for drafting requests (they carry a response_format), a short word for `hatch llm check`.
        server.Responder = request => request.Json?["response_format"] is null
            ? FakeReply.Text("ready")
            : FakeReply.Text(ArticleJson.ValidJson(1, 2, 3));
        Console.WriteLine($"fake OpenAI-compatible server on {server.OpenAIEndpoint} (Azure route: {server.BaseUri}); press Enter to stop");
        await Task.Run(Console.ReadLine);
        return 0;
    }

    internal static IHost BuildHost(Uri endpoint, Dictionary<string, string?> extra, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        var config = new Dictionary<string, string?>
        {
            ["Hatch:Llm:Provider"] = "OpenAICompatible",
            ["Hatch:Llm:Model"] = "bench-model",
            ["Hatch:Llm:Endpoint"] = endpoint.ToString(),
            ["Hatch:Llm:RequestDeadline"] = "00:01:00",
            // `load` measures one call per draft; `pipeline` sets Planned or Single itself.
            ["Hatch:Llm:Pipeline"] = "Single",
        };
        foreach (var (k, v) in extra) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        return builder.Build();
    }

    private static readonly string[] Words =
        ("attention practice habit memory feedback deliberate craft writing reading learning focus time energy " +
         "system goal identity compound interest note idea connection insight question evidence argument model " +
         "mind attention world change progress failure success effort skill talent expert beginner routine").Split(' ');

    /// <summary>Highlights of 15–90 words from a fixed vocabulary: roughly the size of real Kindle and web highlights.</summary>
    private static IReadOnlyList<NumberedHighlight> Highlights(int count, int seed = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(1, count).Select(i =>
        {
            var words = Enumerable.Range(0, random.Next(15, 90)).Select(_ => Words[random.Next(Words.Length)]);
            return new NumberedHighlight(i, new Highlight
            {
                Text = $"{seed}-{i} " + string.Join(' ', words) + ".",
                Source = new HighlightSource($"Book {i % 40}", "An Author"),
                Note = i % 5 == 0 ? "worth coming back to" : null,
            });
        }).ToArray();
    }
}
