using Hatch.Writing.Hatching;
using Hatch.Writing.Text;

namespace Hatch.Writing.Themes;

/// <summary>An idea waiting to hatch: highlights from several sources that are about the same thing.</summary>
/// <param name="Label">A heading made from the theme's key phrases.</param>
/// <param name="HighlightIds">The theme's highlights, most central first (at most the options' cap): what one click hatches.</param>
/// <param name="Cohesion">Mean cosine of the members to the theme's centre, 0..1.</param>
public sealed record ThemeSuggestion(
    string Label, IReadOnlyList<string> KeyPhrases, IReadOnlyList<Guid> HighlightIds, IReadOnlyList<string> Sources, int Size, double Cohesion);

public sealed record ThemeSuggestionOptions
{
    public int MaxThemes { get; init; } = 5;
    public int MinSources { get; init; } = 2;
    public int MinHighlights { get; init; } = 3;

    /// <summary>Highlights listed per theme: as many as one article uses by default.</summary>
    public int MaxHighlightsPerTheme { get; init; } = SelectionOptions.DefaultMaxHighlights;

    /// <summary>Roughly how many highlights one candidate theme gathers; the library is cut into n / this many clusters.</summary>
    public int HighlightsPerCluster { get; init; } = 40;

    public int MaxClusters { get; init; } = 64;
}

/// <summary>
/// Suggests themes from a whole library: spherical k-means over the embeddings (O(n·k·d), no n×n matrix, so
/// thousands of highlights take well under a second), then the clusters that join at least two sources, scored by
/// how tight they are, how large, and how evenly their sources contribute. Deterministic: highlights are taken in
/// id order, seeds are chosen farthest-first from the most central highlight.
/// </summary>
public static class SemanticThemes
{
    public static IReadOnlyList<ThemeSuggestion> Suggest(IReadOnlyList<EmbeddedHighlight> library, ThemeSuggestionOptions? options = null)
    {
        options ??= new ThemeSuggestionOptions();
        var items = Usable(library);
        var n = items.Length;
        if (n < options.MinHighlights) return [];

        var vectors = items.Select(h => h.Vector).ToArray();
        var d = vectors[0].Length;
        var centroid = VectorMath.Centroid(vectors, Enumerable.Range(0, n), d);
        var first = 0;
        var bestFit = float.NegativeInfinity;
        for (var i = 0; i < n; i++)
            if (VectorMath.Cosine(vectors[i], centroid) is var s && s > bestFit) { bestFit = s; first = i; }

        var k = Math.Clamp((int)Math.Round(n / (double)Math.Max(1, options.HighlightsPerCluster)), Math.Min(3, n), Math.Max(3, options.MaxClusters));
        var clusters = ThemeClustering.KMeans(vectors, ThemeClustering.Seeds(vectors, k, first), maxIterations: 20);

        var candidates = new List<(int[] Members, float[] Centre, double Cohesion, string[] Sources, double Score)>();
        foreach (var members in clusters)
        {
            if (members.Length < options.MinHighlights) continue;
            var sources = members.Select(i => items[i].Source).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (sources.Length < options.MinSources) continue;
            var centre = VectorMath.Centroid(vectors, members, d);
            var cohesion = members.Average(i => (double)VectorMath.Cosine(vectors[i], centre));
            // Effective number of sources (exp of entropy): one book with a stray quote from another barely counts.
            var effectiveSources = Math.Exp(-members.GroupBy(i => items[i].Source, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.Count() / (double)members.Length).Sum(p => p * Math.Log(p)));
            if (effectiveSources < Math.Min(options.MinSources, 1.5)) continue;
            var score = cohesion * Math.Log(1 + members.Length) * Math.Sqrt(Math.Min(effectiveSources, 4));
            candidates.Add((members, centre, cohesion, sources, score));
        }

        var chosen = candidates
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Members[0])
            .Take(options.MaxThemes)
            .ToArray();
        if (chosen.Length == 0) return [];

        // Key phrases contrast each chosen theme with the others and with the rest of the library as one group,
        // so a label names what sets the theme apart rather than what the whole library is about.
        var rest = Enumerable.Range(0, n).Except(chosen.SelectMany(c => c.Members)).ToArray();
        var groups = chosen.Select(c => (IReadOnlyList<int>)c.Members).Append(rest).ToArray();
        var tokens = new IReadOnlyList<Token>[n];
        foreach (var g in groups) foreach (var i in g) tokens[i] = Tokenizer.Tokenize(items[i].Text);
        var phrases = KeyPhrases.ForGroups(tokens, groups, perGroup: 4);
        // The same heading rules as the extractive writer's sections, so a suggested theme reads like a section title.
        var headings = KeyPhrases.Headings(phrases.Take(chosen.Length).ToArray());

        var result = new List<ThemeSuggestion>(chosen.Length);
        var usedLabels = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var t = 0; t < chosen.Length; t++)
        {
            var (members, centre, cohesion, sources, _) = chosen[t];
            var memberVectors = members.Select(i => vectors[i]).ToArray();
            var ranked = CentralityRanker.Rank(memberVectors).Select(r => members[r]).ToArray();
            result.Add(new ThemeSuggestion(
                Label(headings[t].Heading, usedLabels, t),
                phrases[t].Select(p => p.Text).ToArray(),
                ranked.Take(options.MaxHighlightsPerTheme).Select(i => items[i].Id).ToArray(),
                ranked.Select(i => items[i].Source).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                members.Length,
                Math.Round(cohesion, 4)));
        }
        return result;
    }

    /// <summary>Id order makes the result independent of how the caller listed the library; vectors of another size (another model) are skipped.</summary>
    internal static EmbeddedHighlight[] Usable(IReadOnlyList<EmbeddedHighlight> library)
    {
        if (library.Count == 0) return [];
        var dimensions = library.GroupBy(h => h.Vector.Length).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
        return library
            .Where(h => h.Vector.Length == dimensions && dimensions > 0)
            .OrderBy(h => h.Id)
            .ToArray();
    }

    private static string Label(string heading, HashSet<string> used, int index)
    {
        var label = string.IsNullOrWhiteSpace(heading) ? $"Theme {index + 1}" : heading;
        for (var suffix = 2; !used.Add(label); suffix++) label = $"{label} ({suffix})";
        return label;
    }
}
