using System.Text.Json;
using Hatch.Domain.Highlights;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;

// Shared by the tests and bench/Hatch.EmbedBench (linked there), so the figures in the README are the ones the
// tests hold to.
namespace Hatch.Embeddings.Tests;

/// <summary>One labelled highlight of the evaluation set.</summary>
public sealed record EvalHighlight(string Topic, string Source, string Text);

public sealed record GroupingScores(double Purity, double AdjustedRand, int Groups);

/// <summary>Sections of extractive drafts: how many there were and what share cites two or more sources.</summary>
public sealed record SectionScores(int Drafts, int Sections, double MultiSourceShare, double TopicPurity);

public sealed record EvaluationReport(GroupingScores Lexical, GroupingScores Semantic, SectionScores LexicalSections, SectionScores SemanticSections);

public static class ThemeEvaluation
{
    public const string FileName = "topics.json";

    public static IReadOnlyList<EvalHighlight> Load(string? path = null)
    {
        path ??= Path.Combine(AppContext.BaseDirectory, "Data", "Eval", FileName);
        return JsonSerializer.Deserialize<EvalHighlight[]>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{path} holds no highlights.");
    }

    /// <summary>
    /// Both representations clustered into as many groups as there are topics (the same deterministic spherical
    /// k-means, seeded from the most central highlight), so the only difference is what "similar" means.
    /// </summary>
    public static GroupingScores LexicalGrouping(IReadOnlyList<EvalHighlight> set)
    {
        var k = set.Select(h => h.Topic).Distinct().Count();
        var stems = set.Select(h => (IReadOnlyList<string>)Tokenizer.Stems(h.Text)).ToArray();
        var model = TfIdfModel.Fit(stems);
        var vectors = stems.Select(model.Vectorize).ToArray();
        var seed = CentralityRanker.Rank(vectors, model.TermCount)[0];
        return Score(set, ThemeClustering.Cluster(vectors, model.TermCount, k, k, seed));
    }

    public static GroupingScores SemanticGrouping(IReadOnlyList<EvalHighlight> set, IReadOnlyList<float[]> vectors)
    {
        var k = set.Select(h => h.Topic).Distinct().Count();
        var seed = CentralityRanker.Rank(vectors)[0];
        return Score(set, ThemeClustering.Cluster(vectors, k, k, seed));
    }

    public static GroupingScores Score(IReadOnlyList<EvalHighlight> set, IReadOnlyList<IReadOnlyList<int>> groups)
    {
        var labels = new int[set.Count];
        for (var g = 0; g < groups.Count; g++) foreach (var i in groups[g]) labels[i] = g;
        var truth = set.Select(h => h.Topic).ToArray();
        return new GroupingScores(Math.Round(Purity(truth, labels), 3), Math.Round(AdjustedRandIndex(truth, labels), 3), groups.Count);
    }

    /// <summary>Share of items whose group's majority topic is their own topic.</summary>
    public static double Purity<T>(IReadOnlyList<T> truth, IReadOnlyList<int> predicted) where T : notnull =>
        Enumerable.Range(0, truth.Count).GroupBy(i => predicted[i])
            .Sum(g => g.GroupBy(i => truth[i]).Max(t => t.Count())) / (double)truth.Count;

    /// <summary>Hubert and Arabie's adjusted Rand index: 1 for identical partitions, about 0 for chance.</summary>
    public static double AdjustedRandIndex<T>(IReadOnlyList<T> truth, IReadOnlyList<int> predicted) where T : notnull
    {
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var n = truth.Count;
        var cells = Enumerable.Range(0, n).GroupBy(i => (truth[i], predicted[i])).Sum(g => Pairs(g.Count()));
        var rows = Enumerable.Range(0, n).GroupBy(i => truth[i]).Sum(g => Pairs(g.Count()));
        var cols = Enumerable.Range(0, n).GroupBy(i => predicted[i]).Sum(g => Pairs(g.Count()));
        var expected = rows * cols / Pairs(n);
        var max = (rows + cols) / 2;
        return max == expected ? 1 : (cells - expected) / (max - expected);
    }

    /// <summary>
    /// Twelve 30-highlight hatches, each mixing three topics (ten highlights from each, drawn across that topic's
    /// sources), written by the extractive writer with the given vectors (or none, the lexical grouping).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Hatches(IReadOnlyList<EvalHighlight> set)
    {
        var topics = set.Select(h => h.Topic).Distinct().ToArray();
        var hatches = new List<IReadOnlyList<int>>();
        for (var h = 0; h < 12; h++)
        {
            var chosenTopics = new[] { topics[h % topics.Length], topics[(h + 1 + h / 6) % topics.Length], topics[(h + 3) % topics.Length] }.Distinct();
            var members = new List<int>();
            foreach (var topic in chosenTopics)
            {
                var ofTopic = Enumerable.Range(0, set.Count).Where(i => set[i].Topic == topic).ToArray();
                // Every fourth highlight from an offset that moves with the hatch: all sources, different passages.
                members.AddRange(ofTopic.Where((_, j) => (j + h) % 4 == 0).Take(10));
            }
            // Interleave so the writer never sees a topic as one block.
            hatches.Add(members.OrderBy(i => (i * 7919 + h * 104729) % 1009).ToArray());
        }
        return hatches;
    }

    public static async Task<SectionScores> SectionsAsync(
        IReadOnlyList<EvalHighlight> set, IReadOnlyList<IReadOnlyList<int>> hatches, Func<IReadOnlyList<int>, IArticleWriter> writerFor)
    {
        var sections = 0;
        var multiSource = 0;
        double purity = 0;
        foreach (var hatch in hatches)
        {
            var highlights = hatch.Select(i => new Highlight { Text = set[i].Text, Source = new HighlightSource(set[i].Source) }).ToArray();
            var written = await writerFor(hatch).WriteAsync(ArticleRequest.From(highlights));
            foreach (var section in written.Article.Sections)
            {
                var cited = section.Citations.Select(n => hatch[n - 1]).ToArray();
                sections++;
                if (cited.Select(i => set[i].Source).Distinct().Count() >= 2) multiSource++;
                purity += cited.GroupBy(i => set[i].Topic).Max(g => g.Count()) / (double)cited.Length;
            }
        }
        return new SectionScores(hatches.Count, sections, Math.Round(multiSource / (double)sections, 3), Math.Round(purity / sections, 3));
    }

    public static async Task<EvaluationReport> RunAsync(
        IReadOnlyList<EvalHighlight> set, IReadOnlyList<float[]> vectors, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator)
    {
        var hatches = Hatches(set);
        var lexicalSections = await SectionsAsync(set, hatches, _ => new ExtractiveArticleWriter(TimeProvider.System));
        var semanticSections = await SectionsAsync(set, hatches, _ => new ExtractiveArticleWriter(TimeProvider.System, generator));
        return new EvaluationReport(LexicalGrouping(set), SemanticGrouping(set, vectors), lexicalSections, semanticSections);
    }
}
