using System.Globalization;

namespace Hatch.Writing.Text;

/// <summary>A word or two-word phrase that names a group, with the stems it is made of and how strongly it names it.</summary>
/// <param name="Support">How many of the group's highlights use it.</param>
public sealed record KeyPhrase(string Text, IReadOnlyList<string> Stems, double Score, int Support)
{
    public bool IsPhrase => Stems.Count > 1;
}

/// <summary>
/// Names groups of passages by the words and two-word phrases that set each group apart from the others
/// (class-based TF-IDF): frequent in the group, rare across groups, and used as things rather than actions
/// (<see cref="WordRoles"/>), because a heading names a theme. Phrases come back as the reader wrote them,
/// lower-cased unless written as an acronym.
/// </summary>
public static class KeyPhrases
{
    // Two-word phrases read better as headings than single words but occur less often; this evens the odds.
    private const double BigramBoost = 1.8;

    // A heading of one word reads thin, so a second is added if it is at least this strong; after a two-word phrase
    // it must be nearly as strong, because "Deliberate Practice" alone beats "Deliberate Practice and Week".
    private const double SecondAfterWord = 0.15;
    private const double SecondAfterPhrase = 0.6;
    private const int MaxHeadingWords = 4;

    // A phrase seen once is usually an accident of wording, not a theme; but a group of one to four highlights
    // may say its theme only once, and "effortful recall" still names it better than "recall". So there a phrase
    // seen once may stand if the text introduced it as a thing ("a shutdown ritual"), at a smaller boost.
    private const int SmallGroup = 4;
    private const double OnceSeenPhraseRole = 0.6;
    private const double OnceSeenBigramBoost = 1.2;
    private const double ExpandRatio = 0.45;

    public const string FallbackHeading = "Further Threads";

    // Words that stay in the vectors (they still tell passages apart) but cannot name a theme: advice verbs...
    private static readonly HashSet<string> Cues = Stems(
        "start", "stop", "begin", "remember", "ask", "help", "feel", "felt", "happen", "matter", "tend", "allow", "seem",
        "consider", "let", "aim", "count", "check", "notice", "care");

    // ...and words that may describe a theme ("small habits", "end time") but are too vague to be its name.
    private static readonly HashSet<string> Vague = Stems(
        "end", "fact", "case", "place", "person", "bit", "sort", "type", "reason", "result", "piece", "number", "hard",
        "easy", "small", "big", "large", "real", "true", "important", "different", "possible", "single", "exact", "fast",
        "faster", "slow", "slower", "wrong", "hour", "minute", "week", "month", "moment", "start", "finish", "side",
        "morning", "afternoon", "evening", "tonight", "tomorrow", "yesterday", "weekend", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday");

    public static IReadOnlyList<IReadOnlyList<KeyPhrase>> ForGroups(
        IReadOnlyList<IReadOnlyList<Token>> documents, IReadOnlyList<IReadOnlyList<int>> groups, int perGroup)
    {
        var roles = WordRoles.Measure(documents);
        var counts = new Dictionary<string, (int Count, int Docs)>[groups.Count];
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var surfaces = new Dictionary<string, Dictionary<string, (int Count, int Upper)>>(StringComparer.Ordinal);
        var groupSizes = new double[groups.Count];
        // First mention breaks ties, so a lone highlight is named by what it opens with, not by the alphabet.
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var g = 0; g < groups.Count; g++)
        {
            counts[g] = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            foreach (var d in groups[g])
            {
                var tokens = documents[d];
                var inDocument = new HashSet<string>(StringComparer.Ordinal);
                for (var t = 0; t < tokens.Count; t++)
                {
                    var token = tokens[t];
                    if (!token.IsContent) continue;
                    Count(token.Stem!, token.Surface);
                    if (t > 0 && tokens[t - 1].IsContent && !token.AfterBreak && tokens[t - 1].Stem != token.Stem)
                        Count(tokens[t - 1].Stem + " " + token.Stem, tokens[t - 1].Surface + " " + token.Surface);
                }

                void Count(string key, string surface)
                {
                    var (c, docs) = counts[g].GetValueOrDefault(key);
                    counts[g][key] = (c + 1, docs + (inDocument.Add(key) ? 1 : 0));
                    firstSeen.TryAdd(key, firstSeen.Count);
                    if (!surfaces.TryGetValue(key, out var forms)) surfaces[key] = forms = new(StringComparer.Ordinal);
                    var lower = surface.ToLowerInvariant().Replace('’', '\'');
                    var (fc, fu) = forms.GetValueOrDefault(lower);
                    forms[lower] = (fc + 1, fu + (IsAcronym(surface) ? 1 : 0));
                }
            }
            foreach (var (key, count) in counts[g])
            {
                var weight = Weight(count);
                totals[key] = totals.GetValueOrDefault(key) + weight;
                groupSizes[g] += weight;
            }
        }

        // Every key's best written form and how much it reads as a thing, decided once for all groups.
        var named = new Dictionary<string, (string Text, double Role)?>(StringComparer.Ordinal);
        (string Text, double Role)? Naming(string key)
        {
            if (!named.TryGetValue(key, out var naming)) named[key] = naming = Name(key, surfaces[key], roles);
            return naming;
        }

        var average = groupSizes.Length == 0 ? 0 : groupSizes.Average();
        var result = new IReadOnlyList<KeyPhrase>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var size = Math.Max(1, groupSizes[g]);
            var small = groups[g].Count <= SmallGroup;
            // Most two-word keys are seen once; in a large group they are out before they are named, which is most of
            // the cost of naming (a library's 3,000 newest highlights hold tens of thousands of such pairs).
            var ranked = counts[g]
                .Where(kv => small || kv.Value.Count >= 2 || !kv.Key.Contains(' '))
                .Select(kv => (kv.Key, Naming: Naming(kv.Key), kv.Value))
                .Where(x => x.Naming is { } n && (!x.Key.Contains(' ') || x.Value.Count >= 2
                    || (small && n.Role >= OnceSeenPhraseRole && roles.PhraseEvidence(x.Key[..x.Key.IndexOf(' ')], x.Key[(x.Key.IndexOf(' ') + 1)..]) > 0)))
                .Select(x => (x.Key, x.Naming!.Value.Text, Support: x.Value.Docs, Score: Weight(x.Value) / size * Math.Log(1 + average / totals[x.Key])
                    * (!x.Key.Contains(' ') ? 1.0 : x.Value.Count >= 2 ? BigramBoost : OnceSeenBigramBoost) * x.Naming!.Value.Role))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => firstSeen[x.Key])
                .ToArray();

            var chosen = new List<KeyPhrase>();
            var usedStems = new HashSet<string>(StringComparer.Ordinal);
            foreach (var candidate in ranked)
            {
                if (chosen.Count == perGroup) break;
                var (key, text, support, score) = candidate;
                if (key.Split(' ').Any(usedStems.Contains)) continue;
                // A word that a phrase in the group qualifies is better named by the phrase: "recall" by
                // "effortful recall", "list" by "to-do list", as long as the phrase is nearly as strong.
                if (!key.Contains(' '))
                {
                    var wider = ranked.FirstOrDefault(r => r.Key.Contains(' ') && r.Score >= ExpandRatio * score
                        && r.Key.Split(' ').Contains(key) && !r.Key.Split(' ').Any(usedStems.Contains));
                    if (wider.Key is not null) (key, text, support, score) = (wider.Key, wider.Text, wider.Support, Math.Max(score, wider.Score));
                }
                var stems = key.Split(' ');
                usedStems.UnionWith(stems);
                chosen.Add(new KeyPhrase(text, stems, score, support));
            }
            result[g] = chosen;
        }
        return result;
    }

    /// <summary>
    /// The word most of the reading is about, if there is one: a thing named in at least <paramref name="share"/>
    /// of the documents (and two). Group phrases cannot find it, because a word every group shares sets no group
    /// apart: six highlights about sleep split into themes none of which is called "sleep".
    /// </summary>
    public static KeyPhrase? Subject(IReadOnlyList<IReadOnlyList<Token>> documents, double share = 0.4)
    {
        var roles = WordRoles.Measure(documents);
        var docs = new Dictionary<string, int>(StringComparer.Ordinal);
        var forms = new Dictionary<string, Dictionary<string, (int Count, int Upper)>>(StringComparer.Ordinal);
        foreach (var tokens in documents)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in tokens.Where(t => t.IsContent))
            {
                if (seen.Add(token.Stem!)) docs[token.Stem!] = docs.GetValueOrDefault(token.Stem!) + 1;
                if (!forms.TryGetValue(token.Stem!, out var f)) forms[token.Stem!] = f = new(StringComparer.Ordinal);
                var lower = token.Surface.ToLowerInvariant().Replace('’', '\'');
                var (c, u) = f.GetValueOrDefault(lower);
                f[lower] = (c + 1, u + (IsAcronym(token.Surface) ? 1 : 0));
            }
        }
        var needed = Math.Max(2, share * documents.Count);
        return docs
            .Where(kv => kv.Value >= needed)
            .Select(kv => (kv.Key, kv.Value, Naming: Name(kv.Key, forms[kv.Key], roles)))
            .Where(x => x.Naming is { Role: >= 0.5 })
            .OrderByDescending(x => x.Value * x.Naming!.Value.Role)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new KeyPhrase(x.Naming!.Value.Text, [x.Key], x.Value, x.Value))
            .FirstOrDefault();
    }

    /// <summary>
    /// One heading per group, in group order: its strongest phrase, joined by a second when that reads better, with
    /// no word stem reused from an earlier heading while the group has anything else to offer, so distinct themes
    /// read distinctly. Returns the heading and the phrase it leads with (null when the group had none).
    /// </summary>
    public static IReadOnlyList<(string Heading, KeyPhrase? Lead)> Headings(IReadOnlyList<IReadOnlyList<KeyPhrase>> phrases)
    {
        var result = new List<(string, KeyPhrase?)>(phrases.Count);
        var usedStems = new HashSet<string>(StringComparer.Ordinal);
        var usedHeadings = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in phrases)
        {
            var fresh = group.Where(p => !p.Stems.Any(usedStems.Contains)).ToList();
            var candidates = fresh.Count > 0 ? fresh : group.ToList();
            var lead = candidates.FirstOrDefault();
            if (lead is null)
            {
                result.Add((Unique(FallbackHeading), null));
                continue;
            }

            var heading = TitleCase(lead.Text);
            var threshold = lead.IsPhrase ? SecondAfterPhrase : SecondAfterWord;
            // In a group of several highlights the second name must be shared by some of them too; a word from one
            // passage's metaphor ("Routine and Shower") says less than the lead alone; a two-word phrase names enough by itself.
            var second = candidates.Skip(1).FirstOrDefault(p =>
                p.Score >= threshold * lead.Score && !p.Stems.Intersect(lead.Stems).Any()
                && (p.Support >= 2 || p.IsPhrase || lead.Support < 2)
                && lead.Stems.Count + p.Stems.Count <= MaxHeadingWords);
            if (second is not null) heading += " and " + TitleCase(second.Text);

            usedStems.UnionWith(lead.Stems);
            if (second is not null) usedStems.UnionWith(second.Stems);
            result.Add((Unique(heading), lead));

            string Unique(string h)
            {
                var unique = h;
                for (var suffix = 2; !usedHeadings.Add(unique); suffix++) unique = h + $" ({suffix})";
                return unique;
            }
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

    /// <summary>
    /// The written form to show and how much the key reads as a thing (0..1), or null when it cannot name a theme:
    /// a vague word, or an adverb in every form it was written in.
    /// </summary>
    private static (string Text, double Role)? Name(string key, Dictionary<string, (int Count, int Upper)> forms, WordRoles roles)
    {
        var stems = key.Split(' ');
        if (stems.Any(Cues.Contains) || Vague.Contains(stems[^1])) return null;

        // The form most often used as a thing: "writing" over "write" even if "write" is commoner.
        var usable = forms.Where(f => !f.Key.Split(' ').Any(WordRoles.IsAdverb) && !WordRoles.IsParticiple(f.Key.Split(' ')[^1])).ToArray();
        if (usable.Length == 0) return null;
        var best = usable
            .OrderByDescending(f => f.Value.Count * roles.FormNounness(f.Key.Split(' ')[^1]))
            .ThenByDescending(f => f.Value.Count)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .First();
        // Written in capitals most of the time (NATO, AI): keep it that way.
        var text = best.Value.Upper * 2 > best.Value.Count ? best.Key.ToUpperInvariant() : best.Key;

        var words = best.Key.Split(' ');
        var role = stems.Length == 1
            ? (roles.Nounness(stems[0]) + roles.FormNounness(words[0])) / 2
            : roles.PhraseNounness(stems[0], stems[^1], words[^1]);
        return (text, role);
    }

    /// <summary>
    /// How much a key counts in a group: mostly how many highlights use it, since a theme is what several passages
    /// share, and only a little how often one passage repeats it.
    /// </summary>
    private static double Weight((int Count, int Docs) count) => count.Docs + 0.25 * (count.Count - count.Docs);

    private static HashSet<string> Stems(params string[] words) => words.Select(Stemmer.Stem).ToHashSet(StringComparer.Ordinal);

    private static bool IsAcronym(string surface) =>
        surface.Length >= 2 && surface.Any(char.IsLetter) && surface.All(c => !char.IsLetter(c) || char.IsUpper(c));
}
