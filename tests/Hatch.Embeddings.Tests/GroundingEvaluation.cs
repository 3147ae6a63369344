using System.Globalization;
using System.Text;
using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Grounding;

namespace Hatch.Embeddings.Tests;

/// <summary>One hand-labelled sentence: its text (with its own [n] markers), and for one with none the paragraph's citations.</summary>
public sealed record GroundingCase(string Text, bool Supported, string Kind, IReadOnlyList<int>? Paragraph);

public sealed record GroundingEvalHighlight(int Number, string Source, string? Author, string Text, string? Note);

/// <summary>A topic: highlights from several sources, and sentences written against them.</summary>
public sealed record GroundingSet(string Topic, IReadOnlyList<GroundingEvalHighlight> Highlights, IReadOnlyList<GroundingCase> Sentences)
{
    public IReadOnlyList<NumberedHighlight> Numbered() =>
        Highlights.Select(h => new NumberedHighlight(h.Number, new Highlight
        {
            Text = h.Text,
            Note = h.Note,
            Source = new HighlightSource(h.Source, h.Author),
        })).ToArray();
}

public sealed record ScoredCase(GroundingSet Set, GroundingCase Case, ScoredSentence Scored);

/// <summary>Precision and recall of "unsupported" at one threshold: what the check flags against what the labels say.</summary>
public sealed record GroundingFigures(double Threshold, int Sentences, int Unsupported, int Flagged, int CorrectlyFlagged)
{
    public double Precision => Flagged == 0 ? 1 : CorrectlyFlagged / (double)Flagged;
    public double Recall => Unsupported == 0 ? 1 : CorrectlyFlagged / (double)Unsupported;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"threshold {Threshold:0.00}: precision {Precision:0.000}, recall {Recall:0.000} ({CorrectlyFlagged} of {Flagged} flagged are unsupported; {Unsupported} unsupported of {Sentences})");
}

public static class GroundingEvaluation
{
    public static IReadOnlyList<GroundingSet> Load(string? path = null)
    {
        path ??= Path.Combine(AppContext.BaseDirectory, "Data", "Grounding", "grounding-eval.json");
        using var stream = File.OpenRead(path);
        var document = JsonSerializer.Deserialize<EvalFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{path} holds no sets.");
        return document.Sets;
    }

    private sealed record EvalFile(IReadOnlyList<GroundingSet> Sets);

    /// <summary>Each sentence scored as the checker scores an article's: its own markers, else its paragraph's citations.</summary>
    public static async Task<IReadOnlyList<ScoredCase>> ScoreAsync(IReadOnlyList<GroundingSet> sets, GroundingChecker checker)
    {
        var scored = new List<ScoredCase>();
        foreach (var set in sets)
        {
            var sentences = set.Sentences.Select(c =>
            {
                var own = Citations.Inline(c.Text).Where(n => n > 0).Distinct().Order().ToArray();
                return own.Length > 0
                    ? new ArticleSentence("eval", c.Text, own, CitesItself: true)
                    : new ArticleSentence("eval", c.Text, c.Paragraph ?? [], CitesItself: false);
            }).ToArray();
            var results = await checker.ScoreAsync(sentences, set.Numbered());
            scored.AddRange(set.Sentences.Select((c, i) => new ScoredCase(set, c, results[i])));
        }
        return scored;
    }

    public static GroundingFigures Measure(IReadOnlyList<ScoredCase> scored, double threshold)
    {
        var flagged = scored.Where(s => s.Scored.Score < threshold).ToArray();
        return new GroundingFigures(threshold, scored.Count, scored.Count(s => !s.Case.Supported), flagged.Length, flagged.Count(s => !s.Case.Supported));
    }

    /// <summary>Figures over a range of thresholds and every sentence the chosen one gets wrong, for docs/llm.md and for tuning.</summary>
    public static string Describe(IReadOnlyList<ScoredCase> scored, double threshold)
    {
        var text = new StringBuilder();
        for (var t = 0.40; t <= 0.801; t += 0.025) text.AppendLine(Measure(scored, Math.Round(t, 3)).ToString());
        text.AppendLine();
        text.AppendLine("by kind at " + threshold.ToString("0.00", CultureInfo.InvariantCulture) + ":");
        foreach (var kind in scored.GroupBy(s => s.Case.Kind).OrderBy(g => g.Key))
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind.Key,-15} {kind.Count(s => s.Scored.Score < threshold == !s.Case.Supported)}/{kind.Count()} right"));
        text.AppendLine();
        text.AppendLine("wrong at " + threshold.ToString("0.00", CultureInfo.InvariantCulture) + ":");
        foreach (var s in scored.Where(s => s.Scored.Score < threshold == s.Case.Supported))
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(s.Case.Supported ? "flagged " : "missed  ")} {s.Case.Kind,-14} score {s.Scored.Score:0.000} meaning {s.Scored.Meaning:0.000} overlap {s.Scored.Overlap:0.000} numbers [{string.Join(',', s.Scored.NewNumbers)}] reversed {s.Scored.Reversed}: {s.Case.Text}"));
        return text.ToString();
    }
}
