namespace Hatch.Writing.Text;

/// <summary>
/// How noun-like each word is in this reader's own text, judged by its neighbours rather than a dictionary: a
/// word after "the", "your" or "of", or before "is", is being used as a thing; a word after "to", "you" or
/// "should", before "the" or "your", or opening a command, is being used as an action. Headings name things, so
/// key phrases are weighted by this. Counts are per stem (so "practice" and "practising" pool their evidence)
/// and per written form (so a heading can say "Writing" rather than "Write").
/// </summary>
public sealed class WordRoles
{
    private static readonly HashSet<string> BeforeNoun = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "your", "my", "this", "that", "these", "those", "every", "each", "of", "its", "their", "our",
        "his", "her", "whose", "own", "some", "any", "no", "many", "few", "much",
    };

    private static readonly HashSet<string> AfterNoun = new(StringComparer.Ordinal) { "is", "are", "was", "were", "isn't", "aren't", "wasn't" };

    private static readonly HashSet<string> BeforeVerb = new(StringComparer.Ordinal)
    {
        "to", "i", "you", "we", "they", "he", "she", "can", "could", "will", "would", "should", "must", "may", "might",
        "shall", "don't", "doesn't", "didn't", "do", "does", "did", "never", "always", "often", "cannot", "can't",
        "won't", "let's", "please", "i'll", "you'll", "we'll", "they'll",
    };

    // A verb takes an object straight after it ("reread the chapter", "write it"); a noun rarely does.
    private static readonly HashSet<string> AfterVerb = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "your", "my", "our", "their", "his", "her", "it", "them", "him", "me", "us", "this", "these",
        "those", "what", "whatever", "yourself", "something", "everything", "two", "three", "more", "less", "every",
        "each", "some", "any", "nothing", "out", "up", "down", "off", "away", "back", "its", "one",
    };

    // Another content word in front is usually an adjective or a compound's first half ("attention residue"),
    // but it can also be a verb's object, so it counts for less than a determiner.
    private const double AfterContentWeight = 0.5;
    // A clause's first word is a command as often as a subject ("Write daily." / "Practice matters.").
    private const double ClauseStartWeight = 0.5;

    private readonly Dictionary<string, (double Noun, double Verb)> _stems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Noun, double Verb)> _forms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _phrases = new(StringComparer.Ordinal);
    // Stems written at least once as "-ing" or "-ed": such a first word describes ("organising notes").
    private readonly HashSet<string> _descriptive = new(StringComparer.Ordinal);

    public static WordRoles Measure(IEnumerable<IReadOnlyList<Token>> documents)
    {
        var roles = new WordRoles();
        foreach (var tokens in documents)
            for (var t = 0; t < tokens.Count; t++)
            {
                var token = tokens[t];
                if (!token.IsContent) continue;
                var prev = t > 0 && !token.AfterBreak ? tokens[t - 1] : (Token?)null;
                var next = t + 1 < tokens.Count && !tokens[t + 1].AfterBreak ? tokens[t + 1] : (Token?)null;
                var prevWord = prev is { } p ? Lower(p.Surface) : null;
                var nextWord = next is { } n ? Lower(n.Surface) : null;

                double noun = 0, verb = 0;
                if (prevWord is not null && BeforeNoun.Contains(prevWord)) noun += 1;
                else if (prev is { IsContent: true } before && !IsPluralLike(Lower(token.Surface)))
                {
                    // After a plural the next word is usually its verb ("researchers call"); otherwise the first
                    // word describes the second ("attention residue"). After anything, an "-s" word is either.
                    if (IsPluralLike(Lower(before.Surface))) verb += AfterContentWeight;
                    else noun += AfterContentWeight;
                }
                if (nextWord is not null && AfterNoun.Contains(nextWord)) noun += 1;
                if (prevWord is not null && BeforeVerb.Contains(prevWord)) verb += 1;
                if (nextWord is not null && AfterVerb.Contains(nextWord)) verb += 1;
                if (token.StartsClause && noun == 0) verb += ClauseStartWeight;

                Add(roles._stems, token.Stem!, noun, verb);
                var form = Lower(token.Surface);
                Add(roles._forms, form, noun, verb);
                if (form.EndsWith("ing", StringComparison.Ordinal) || IsParticiple(form)) roles._descriptive.Add(token.Stem!);

                // A pair the text introduces with "a", "the" or "your", or follows with "is", is itself a thing:
                // "a to-do list", "the deliberate practice", "effortful recall is".
                if (prev is { IsContent: true } first && first.Stem != token.Stem)
                {
                    // Not for an "-s" last word: in "the urge appears" the determiner belongs to "urge" alone.
                    var beforePair = t > 1 && !first.AfterBreak && BeforeNoun.Contains(Lower(tokens[t - 2].Surface))
                        && !IsPluralLike(Lower(token.Surface));
                    var afterPair = nextWord is not null && AfterNoun.Contains(nextWord);
                    // A pair running straight into another content word is a verb and its object or part of a
                    // longer phrase ("a night show measurable deficits"), not a thing in itself.
                    var runsOn = next is { IsContent: true };
                    // And only where the last word is not acting here: "every paragraph earn its place".
                    if ((beforePair || afterPair) && verb == 0 && !runsOn && !IsPluralLike(Lower(first.Surface)))
                    {
                        var key = first.Stem + " " + token.Stem;
                        roles._phrases[key] = roles._phrases.GetValueOrDefault(key) + 1;
                    }
                }
            }
        return roles;
    }

    /// <summary>0..1: near 1 for a word used as a thing, near 0 for one used as an action, ½ when there is no evidence.</summary>
    public double Nounness(string stem) => Score(_stems, stem);

    /// <summary>The same for one written form, "writing" against "write".</summary>
    public double FormNounness(string lowerForm) => Score(_forms, lowerForm);

    /// <summary>
    /// 0..1 for a two-word phrase ("stem stem"): its last word must read as a thing, its first may describe it but
    /// should not read as an action ("reread chapters"), and being introduced as a thing lifts the pair as a whole.
    /// </summary>
    public double PhraseNounness(string firstStem, string lastStem, string lastForm)
    {
        var head = (Nounness(lastStem) + FormNounness(lastForm)) / 2;
        var (noun, verb) = _stems.GetValueOrDefault(firstStem);
        var verbShare = verb / (noun + verb + 1);
        var role = head * (1 - 0.8 * verbShare);
        // A singular noun then an "-s" word is more often subject and verb ("habit works", "decision runs") than
        // a compound ("task lists"), unless the first word is itself a describing "-ing"/"-ed" form.
        if (IsPluralLike(lastForm) && !lastStem.Equals(firstStem, StringComparison.Ordinal) && noun > verb
            && !_descriptive.Contains(firstStem))
            role *= SubjectVerbPenalty;
        var evidence = _phrases.GetValueOrDefault(firstStem + " " + lastStem);
        return (role + evidence) / (1 + evidence);
    }

    private const double SubjectVerbPenalty = 0.6;

    /// <summary>How often the text introduced this pair as a thing ("a shutdown ritual", "effortful recall is").</summary>
    public int PhraseEvidence(string firstStem, string lastStem) => _phrases.GetValueOrDefault(firstStem + " " + lastStem);

    /// <summary>Adverbs say how, not what: "-ly" words, except the few common nouns and adjectives spelled that way.</summary>
    public static bool IsAdverb(string lowerForm) =>
        lowerForm.Length > 4 && lowerForm.EndsWith("ly", StringComparison.Ordinal) && !LyNonAdverbs.Contains(lowerForm);

    /// <summary>
    /// Past participles ("shared", "closed") describe a thing but do not name one: fine in front of a noun
    /// ("protected hour"), not as a heading's last word.
    /// </summary>
    public static bool IsParticiple(string lowerForm) =>
        lowerForm.Length > 4 && lowerForm.EndsWith("ed", StringComparison.Ordinal) && !lowerForm.EndsWith("eed", StringComparison.Ordinal)
        && !EdNonParticiples.Contains(lowerForm);

    private static readonly HashSet<string> EdNonParticiples = new(StringComparer.Ordinal)
    {
        "hundred", "sacred", "kindred", "naked", "wicked", "hatred", "shred", "sled", "seabed", "bloodshed", "watershed",
    };

    private static bool IsPluralLike(string lowerForm) =>
        lowerForm.Length > 3 && lowerForm.EndsWith('s') && !lowerForm.EndsWith("ss", StringComparison.Ordinal)
        && !lowerForm.EndsWith("us", StringComparison.Ordinal) && !lowerForm.EndsWith("is", StringComparison.Ordinal);

    private static readonly HashSet<string> LyNonAdverbs = new(StringComparer.Ordinal)
    {
        "daily", "weekly", "monthly", "yearly", "hourly", "nightly", "early", "family", "supply", "reply", "ally",
        "assembly", "anomaly", "monopoly", "friendly", "lonely", "lovely", "ugly", "holy", "belly", "jelly", "rally",
        "italy", "july", "butterfly", "elderly", "costly", "timely", "orderly", "fly",
    };

    private static double Score(Dictionary<string, (double Noun, double Verb)> counts, string key)
    {
        var (noun, verb) = counts.GetValueOrDefault(key);
        // Smoothed so one sighting nudges rather than decides.
        return (noun + 0.5) / (noun + verb + 1);
    }

    private static void Add(Dictionary<string, (double Noun, double Verb)> counts, string key, double noun, double verb)
    {
        var (n, v) = counts.GetValueOrDefault(key);
        counts[key] = (n + noun, v + verb);
    }

    private static string Lower(string surface) => surface.ToLowerInvariant().Replace('’', '\'');
}
