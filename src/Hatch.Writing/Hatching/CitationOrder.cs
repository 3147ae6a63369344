using System.Text.RegularExpressions;
using Hatch.Domain.Articles;

namespace Hatch.Writing.Hatching;

/// <summary>
/// Renumbers a draft's highlights so the Sources list reads 1..N in the order the article first cites them, with
/// no gaps: the highlights it does not cite follow, in their given order. Citation markers and lists are
/// rewritten to match, so every citation still points at the same highlight.
/// </summary>
public static partial class CitationOrder
{
    public static (Article Article, IReadOnlyList<NumberedHighlight> Highlights) Renumber(Article article, IReadOnlyList<NumberedHighlight> highlights)
    {
        var known = highlights.Select(h => h.Number).ToHashSet();
        var order = new List<int>();
        var seen = new HashSet<int>();
        void Visit(IEnumerable<int> numbers)
        {
            foreach (var n in numbers)
                if (known.Contains(n) && seen.Add(n)) order.Add(n);
        }
        // Reading order: the overview, each section (its inline markers, then any it lists without a marker), advice, conclusion.
        Visit(Citations.Inline(article.Overview));
        foreach (var section in article.Sections)
        {
            Visit(Citations.Inline(section.Body));
            Visit(section.Citations);
        }
        foreach (var item in article.Advice)
        {
            Visit(Citations.Inline(item.Detail));
            Visit(item.Citations);
        }
        Visit(Citations.Inline(article.Conclusion));
        Visit(highlights.Select(h => h.Number));

        var map = new Dictionary<int, int>();
        for (var i = 0; i < order.Count; i++) map[order[i]] = i + 1;
        if (map.All(kv => kv.Key == kv.Value)) return (article, highlights);

        int New(int n) => map.TryGetValue(n, out var m) ? m : n;
        IReadOnlyList<int> List(IReadOnlyList<int> numbers) => numbers.Select(New).ToArray();
        string Text(string text) => Marker().Replace(text, m =>
            "[" + string.Join(", ", m.Groups[1].Value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => int.TryParse(n, out var value) ? New(value).ToString(System.Globalization.CultureInfo.InvariantCulture) : n)) + "]");

        var renumbered = article with
        {
            Overview = Text(article.Overview),
            Sections = article.Sections.Select(s => s with { Body = Text(s.Body), Citations = List(s.Citations) }).ToArray(),
            Advice = article.Advice.Select(a => a with { Detail = Text(a.Detail), Citations = List(a.Citations) }).ToArray(),
            Conclusion = Text(article.Conclusion),
        };
        var numbered = highlights.Select(h => h with { Number = New(h.Number) }).OrderBy(h => h.Number).ToArray();
        return (renumbered, numbered);
    }

    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex Marker();
}
