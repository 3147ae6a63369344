using System.Diagnostics;
using Hatch.Embeddings;
using Hatch.Embeddings.Tests;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
// A Stopwatch harness, like bench/Hatch.Bench: the questions are "how many highlights a second", "under 2 s"
// and "how much memory", which medians over a few runs answer in a minute.
var library = args.Length > 0 ? int.Parse(args[0]) : 5_000;
var process = Process.GetCurrentProcess();
Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");
var before = WorkingSetMb();

// 1. Model load and throughput (batches of 16).
var generator = new MiniLmEmbeddingGenerator(batchSize: 16);
var set = ThemeEvaluation.Load();
var texts = set.Select(h => h.Text).ToArray();
var load = Stopwatch.StartNew();
await generator.EmbedAsync(["warm up"]);
load.Stop();
Console.WriteLine($"model load + first call: {load.ElapsedMilliseconds} ms (load alone {MiniLmEmbeddingGenerator.LoadTime.TotalMilliseconds:F0} ms)");

var rounds = new List<double>();
float[][] vectors = [];
for (var r = 0; r < 3; r++)
{
    var sw = Stopwatch.StartNew();
    vectors = await generator.EmbedAsync(texts);
    rounds.Add(texts.Length / sw.Elapsed.TotalSeconds);
}
rounds.Sort();
Console.WriteLine($"throughput: {rounds[1]:F0} highlights/s (median of 3 x {texts.Length}, batches of 16, mean {texts.Average(t => t.Length):F0} chars)");

// The model's cost grows with each text's word pieces, so a rate means little without the length. The same texts cut
// to their first seven words (about the length of the short sentences NOTES.md's ~450/s was measured with):
var shortTexts = texts.Select(t => string.Join(' ', t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(7))).ToArray();
var shortRounds = new List<double>();
for (var r = 0; r < 3; r++)
{
    var sw = Stopwatch.StartNew();
    await generator.EmbedAsync(shortTexts);
    shortRounds.Add(shortTexts.Length / sw.Elapsed.TotalSeconds);
}
shortRounds.Sort();
Console.WriteLine($"throughput, short sentences: {shortRounds[1]:F0} sentences/s (median of 3 x {shortTexts.Length}, batches of 16, mean {shortTexts.Average(t => t.Length):F0} chars)");
process.Refresh();
Console.WriteLine($"memory with model loaded: working set {WorkingSetMb():F0} MB (before load {before:F0} MB), peak {process.PeakWorkingSet64 / 1048576.0:F0} MB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB");

// 2. Theme suggestions for a library of N highlights with embeddings present. The library is the evaluation
// set's vectors, each copy nudged so no two are identical, with sources multiplied so themes can span them.
var random = new Random(7);
var big = new EmbeddedHighlight[library];
for (var i = 0; i < library; i++)
{
    var baseIndex = i % set.Count;
    var v = (float[])vectors[baseIndex].Clone();
    for (var d = 0; d < v.Length; d++) v[d] += (float)(random.NextDouble() - 0.5) * 0.02f;
    big[i] = new EmbeddedHighlight(Guid.NewGuid(), VectorMath.Normalize(v), set[baseIndex].Text, $"{set[baseIndex].Source} #{i / set.Count % 8}");
}
var times = new List<double>();
IReadOnlyList<ThemeSuggestion> themes = [];
for (var r = 0; r < 5; r++)
{
    var sw = Stopwatch.StartNew();
    themes = SemanticThemes.Suggest(big);
    times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();
Console.WriteLine($"theme suggestions for {library} highlights: median {times[2]:F0} ms (min {times[0]:F0}, max {times[^1]:F0}); {themes.Count} themes:");
foreach (var t in themes)
    Console.WriteLine($"  {t.Label}: {t.Size} highlights from {t.Sources.Count} sources, cohesion {t.Cohesion:F2}");

var sw2 = Stopwatch.StartNew();
var queries = 0;
foreach (var h in big.Take(200)) { RelatedHighlights.For(h, big); queries++; }
Console.WriteLine($"related highlights: {sw2.Elapsed.TotalMilliseconds / queries:F2} ms per highlight over {library}");
sw2.Restart();
var dupes = NearDuplicates.Find(big.Take(500).ToArray(), big.Skip(500).ToArray());
Console.WriteLine($"near-duplicates: 500 new against {library - 500} existing in {sw2.ElapsedMilliseconds} ms ({dupes.Count} pairs; the copies share text, so all are flagged)");

// 3. Quality: the evaluation set, lexical vs MiniLM.
var report = await ThemeEvaluation.RunAsync(set, vectors, generator);
Console.WriteLine($"evaluation set: {set.Count} highlights, {set.Select(h => h.Topic).Distinct().Count()} topics, {set.Select(h => h.Source).Distinct().Count()} sources");
Console.WriteLine($"  grouping into {report.Lexical.Groups} themes   purity  ARI");
Console.WriteLine($"  lexical (TF-IDF)              {report.Lexical.Purity,6:F3} {report.Lexical.AdjustedRand,6:F3}");
Console.WriteLine($"  MiniLM                        {report.Semantic.Purity,6:F3} {report.Semantic.AdjustedRand,6:F3}");
Console.WriteLine($"  extractive drafts ({report.LexicalSections.Drafts} x 30 highlights, 3 topics each): sections citing >= 2 sources, section topic purity");
Console.WriteLine($"  lexical  {report.LexicalSections.MultiSourceShare:P1} of {report.LexicalSections.Sections} sections, purity {report.LexicalSections.TopicPurity:F3}");
Console.WriteLine($"  MiniLM   {report.SemanticSections.MultiSourceShare:P1} of {report.SemanticSections.Sections} sections, purity {report.SemanticSections.TopicPurity:F3}");

process.Refresh();
Console.WriteLine($"end: working set {WorkingSetMb():F0} MB, peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB, model loads {MiniLmEmbeddingGenerator.LoadCount}");
return 0;

double WorkingSetMb()
{
    process.Refresh();
    return process.WorkingSet64 / 1048576.0;
}
