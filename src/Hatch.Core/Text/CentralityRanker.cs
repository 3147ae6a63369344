namespace Hatch.Core.Text;

/// <summary>Orders passages from most to least central to the collection they belong to.</summary>
public static class CentralityRanker
{
    /// <summary>Indices into <paramref name="texts"/>, most central first. Deterministic.</summary>
    public static IReadOnlyList<int> Rank(IReadOnlyList<string> texts)
    {
        // Placeholder ranking by length until the lexical model lands (issue 2, extractive writer).
        return Enumerable.Range(0, texts.Count).OrderByDescending(i => texts[i].Length).ThenBy(i => i).ToArray();
    }
}
