using System.Globalization;

namespace Hatch.Core.Text;

/// <summary>
/// Names groups of passages by the words and two-word phrases that set each group apart from the others
/// (class-based TF-IDF): frequent in the group, rare across groups. Phrases come back as the reader wrote them,
/// lower-cased unless written as an acronym.
/// </summary>
public static class KeyPhrases
{
    // Two-word phrases read better as headings than single words but occur less often; this evens the odds.
    private const double BigramBoost = 1.8;

    public static IReadOnlyList<IReadOnlyList<string>> ForGroups(
        IReadOnlyList<IReadOnlyList<Token>> documents, IReadOnlyList<IReadOnlyList<int>> groups, int perGroup)
    {
        var counts = new Dictionary<string, int>[groups.Count];
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        var surfaces = new Dictionary<string, Dictionary<string, (int Count, int Upper)>>(StringComparer.Ordinal);
        var groupSizes = new int[groups.Count];
        // First mention breaks ties, so a lone highlight is named by what it opens with, not by the alphabet.
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var g = 0; g < groups.Count; g++)
        {
            counts[g] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var d in groups[g])
            {
                var tokens = documents[d];
                for (var t = 0; t < tokens.Count; t++)
                {
                    var token = tokens[t];
                    if (!token.IsContent) continue;
                    Count(token.Stem!, token.Surface);
                    if (t > 0 && tokens[t - 1].IsContent && !token.AfterBreak && tokens[t - 1].Stem != token.Stem)
                        Count(tokens[t - 1].Stem + " " + token.Stem, tokens[t - 1].Surface + " " + token.Surface);
                }
            }
            groupSizes[g] = counts[g].Values.Sum();

            void Count(string key, string surface)
            {
                counts[g][key] = counts[g].GetValueOrDefault(key) + 1;
                firstSeen.TryAdd(key, firstSeen.Count);
                totals[key] = totals.GetValueOrDefault(key) + 1;
                if (!surfaces.TryGetValue(key, out var forms)) surfaces[key] = forms = new(StringComparer.Ordinal);
                var lower = surface.ToLowerInvariant();
                var (c, u) = forms.GetValueOrDefault(lower);
                forms[lower] = (c + 1, u + (IsAcronym(surface) ? 1 : 0));
            }
        }

        var average = groupSizes.Length == 0 ? 0 : groupSizes.Average();
        var result = new IReadOnlyList<string>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var size = Math.Max(1, groupSizes[g]);
            // A phrase seen once is usually an accident of wording, not a theme.
            var ranked = counts[g]
                .Where(kv => !kv.Key.Contains(' ') || kv.Value >= 2)
                .Select(kv => (Key: kv.Key, Score: kv.Value / (double)size * Math.Log(1 + average / totals[kv.Key])
                    * (kv.Key.Contains(' ') ? BigramBoost : 1.0)))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => firstSeen[x.Key])
                .ToArray();

            var chosen = new List<string>();
            var usedStems = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, _) in ranked)
            {
                if (chosen.Count == perGroup) break;
                var stems = key.Split(' ');
                if (stems.Any(usedStems.Contains)) continue;
                usedStems.UnionWith(stems);
                chosen.Add(Display(surfaces[key]));
            }
            result[g] = chosen;
        }
        return result;
    }

    /// <summary>"deliberate practice" → "Deliberate Practice"; acronyms stay as they are.</summary>
    public static string TitleCase(string phrase) =>
        string.Join(' ', phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word =>
            string.Join('-', word.Split('-').Select(part =>
                part.Length == 0 ? part : char.ToUpper(part[0], CultureInfo.InvariantCulture) + part[1..]))));

    /// <summary>"A", "A and B", "A, B and C".</summary>
    public static string JoinList(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    private static string Display(Dictionary<string, (int Count, int Upper)> forms)
    {
        var best = forms.OrderByDescending(f => f.Value.Count).ThenBy(f => f.Key, StringComparer.Ordinal).First();
        if (best.Value.Upper * 2 <= best.Value.Count) return best.Key;
        // Written in capitals most of the time (NATO, AI): keep it that way.
        return best.Key.ToUpperInvariant();
    }

    private static bool IsAcronym(string surface) =>
        surface.Length >= 2 && surface.Any(char.IsLetter) && surface.All(c => !char.IsLetter(c) || char.IsUpper(c));
}
