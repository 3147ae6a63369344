using System.Globalization;
using System.Text.RegularExpressions;
using Hatch.Writing.Text;

namespace Hatch.Writing.Grounding;

/// <summary>The word-level evidence of the grounding check: content words, numbers, and turned-around meaning.</summary>
public static partial class ClaimWords
{
    /// <summary>
    /// Words about the article itself, its sources and the act of reading, not about the subject: a sentence that
    /// joins quotations ("Both books return to this") uses them without claiming anything a highlight must support.
    /// </summary>
    private static readonly HashSet<string> AboutTheReading = new(StringComparer.Ordinal)
    {
        "highlight", "highlights", "highlighted", "source", "sources", "note", "notes", "reader", "readers", "reading",
        "read", "draft", "drafts", "article", "articles", "section", "sections", "advice", "passage", "passages", "quote",
        "quotes", "quoted", "quotation", "quotations", "sentence", "sentences", "writer", "writers", "author", "authors",
        "book", "books", "chapter", "chapters", "essay", "theme", "themes", "idea", "ideas", "argue", "argues", "argued",
        "argument", "write", "writes", "wrote", "written", "suggest", "suggests", "suggested", "mark", "marked", "echo",
        "echoes", "echoed", "agree", "agrees", "agreed", "connect", "connects", "connected", "link", "links", "linked",
        "thread", "threads", "recur", "recurs", "returning", "return", "returns", "common", "above", "below", "extractive",
        "hatch", "hatch's", "offline", "language", "model", "map", "numbered", "assembled", "recommend", "recommends",
        "prescribe", "prescribes", "course", "action", "offer", "offers", "centre", "centres", "center", "centers",
        "single", "rests", "rest", "emphasise", "emphasises", "emphasize", "emphasizes", "observe", "observes", "put",
        "puts", "explain", "explains", "describe", "describes", "claim", "claims", "view", "views", "together", "taken",
        "side", "sides", "similar", "similarly", "likewise", "point", "points", "make", "makes", "same", "lesson", "lessons",
        "question", "questions", "picture", "topic", "topics", "subject", "finding", "findings", "contrast", "contrasts",
        "draw", "draws", "turn", "turns", "compare", "compares", "comparison", "distinction", "case", "story", "end",
        // Reporting verbs: "X says", "Y adds". What is said or added is still held to the highlights.
        "say", "tell", "tells", "add", "adds", "added", "show", "shows", "showed", "shown", "find", "finds", "found",
        "report", "reports", "reported", "bring", "brings", "complete", "completes", "particular", "again",
        // The extractive writer's connective prose: how quotations meet ("reach it from two sides", "follows closely
        // from", "opens a separate thread", "what holds them together", "comes down to three things").
        "reach", "reaches", "open", "opens", "separate", "follow", "follows", "closely", "move", "moves", "hold", "holds",
        "come", "comes", "thing", "things", "plainly", "words", "goes", "continue", "continues", "plain", "ask", "asks",
        "ends", "keep", "keeps", "way", "run", "runs", "along", "line", "lines",
        // How it speaks of the reader's own notes ("What you kept from …", "You noted: …", "Your margin note: …").
        "kept", "noted", "margin",
        // How the extractive writer states its thesis and answers it: where sources part or meet and where the
        // reader's note leans ("part ways on naps", "your own note sides with …", "the firmest ground in what you
        // kept"), and how an advice item names the section it follows from ("The section “…” leads here").
        "disagree", "disagrees", "disagreement", "ways", "part", "lean", "leans", "hedge", "choice", "choose", "choosing",
        "chosen", "suspects", "firmest", "ground", "nearly", "meeting", "place", "arriving", "different", "answer",
        "lead", "leads",
    };

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.Ordinal)
    {
        ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8, ["nine"] = 9, ["ten"] = 10,
        ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13, ["fourteen"] = 14, ["fifteen"] = 15, ["sixteen"] = 16,
        ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40,
        ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90, ["hundred"] = 100,
        ["thousand"] = 1000, ["million"] = 1_000_000, ["billion"] = 1_000_000_000, ["dozen"] = 12,
        ["double"] = 2, ["doubles"] = 2, ["twice"] = 2, ["triple"] = 3, ["triples"] = 3, ["percent"] = -1,
    };

    // "Half", "halve" and "halved" are one amount; so are "a third" and "thirds".
    private static readonly Dictionary<string, string> Fractions = new(StringComparer.Ordinal)
    {
        ["half"] = "1/2", ["third"] = "1/3", ["quarter"] = "1/4", ["fifth"] = "1/5", ["tenth"] = "1/10",
    };

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "cannot", "without", "nor", "none", "nothing", "neither", "nobody", "rarely", "seldom",
        "hardly", "lack", "lacks", "unless",
    };

    // Words that point one way, each group against its opposite: a sentence that says one where the closest passage
    // says the other (and not both) has turned the claim around ("lowers risk" → "raises risk").
    private static readonly (string[] Up, string[] Down)[] Opposites =
    [
        (["more", "increase", "increases", "increased", "raise", "raises", "raised", "higher", "rise", "rises", "grow", "grows",
          "greater", "longer", "larger", "bigger", "boost", "boosts", "gain", "gains", "adds", "doubles", "multiply"],
         ["less", "fewer", "decrease", "decreases", "decreased", "reduce", "reduces", "reduced", "cut", "cuts", "lower",
          "lowers", "lowered", "fall", "falls", "shrink", "shrinks", "smaller", "shorter", "lose", "loses", "fade", "fades"]),
        (["improve", "improves", "improved", "better", "help", "helps", "strengthen", "strengthens", "benefit", "benefits",
          "preserve", "preserves", "protect", "protects", "maintain", "maintains", "best", "boost", "boosts"],
         ["worse", "worsen", "worsens", "harm", "harms", "hurt", "hurts", "impair", "impairs", "weaken", "weakens",
          "damage", "damages", "worst", "sabotage", "sabotages", "blunt", "blunts", "dull", "dulls"]),
        (["early", "earlier", "sooner", "quickly", "fast", "faster"], ["late", "later", "slowly", "slow", "slower"]),
        (["easy", "easier"], ["hard", "harder"]),
        (["cheap", "cheaper"], ["expensive", "costlier"]),
        (["always"], ["never"]),
        (["most"], ["least"]),
        (["many"], ["few"]),
        (["high"], ["low"]),
        (["trusted", "trust"], ["distrust", "distrusted"]),
        (["success", "succeed", "succeeds"], ["failure", "fail", "fails"]),
    ];

    /// <summary>Stems of the words that carry a claim; with <paramref name="includeMeta"/> also words about the reading.</summary>
    public static IReadOnlyList<string> ContentStems(string text, bool includeMeta = false)
    {
        var stems = new List<string>();
        foreach (var token in Tokenizer.Tokenize(MetaCounts().Replace(text, " ")))
        {
            if (token.Stem is not { } stem) continue;
            var lower = token.Surface.ToLowerInvariant();
            if (!includeMeta && AboutTheReading.Contains(lower)) continue;
            // Negation is judged by Reverses, not counted as a word the highlights must contain.
            if (Negators.Contains(lower)) continue;
            if (token.Surface.All(char.IsDigit)) continue;
            stems.Add(stem);
        }
        return stems;
    }

    /// <summary>
    /// A stem counts as found when it is in <paramref name="known"/> or shares its first five letters with a known
    /// stem, so "consolidate" finds "consolidation" and "remembering" finds "remembered" without a full stemmer.
    /// </summary>
    public static bool IsKnown(string stem, IReadOnlySet<string> known)
    {
        if (known.Contains(stem)) return true;
        if (stem.Length < 5) return false;
        var prefix = stem[..5];
        foreach (var word in known)
            if (word.Length >= 5 && word.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// The numbers a text states, digits or words ("forty percent" → "40"), as canonical strings. Counts of the
    /// reading itself ("12 highlights from 4 sources") are not claims about the subject and are left out.
    /// </summary>
    public static IReadOnlyList<string> Numbers(string text)
    {
        var numbers = new List<string>();
        var cleaned = MetaCounts().Replace(text, " ");
        foreach (Match match in NumberPattern().Matches(cleaned))
        {
            var value = match.Value.Replace(",", "", StringComparison.Ordinal).TrimEnd('.');
            if (decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
                numbers.Add(number.ToString(CultureInfo.InvariantCulture));
        }
        foreach (Match match in FractionPattern().Matches(cleaned.ToLowerInvariant()))
            numbers.Add(Fractions[match.Value.StartsWith("hal", StringComparison.Ordinal) ? "half" : match.Value.TrimEnd('s')]);
        foreach (Match match in NumberWordPattern().Matches(cleaned.ToLowerInvariant()))
        {
            var words = match.Value.Split(['-', ' '], StringSplitOptions.RemoveEmptyEntries);
            var total = 0;
            var any = false;
            foreach (var word in words)
            {
                if (!NumberWords.TryGetValue(word, out var value) || value < 0) continue;
                any = true;
                total = value >= 100 && total > 0 ? total * value : total + value;
            }
            if (any) numbers.Add(total.ToString(CultureInfo.InvariantCulture));
        }
        return numbers;
    }

    /// <summary>
    /// Whether <paramref name="sentence"/> says the opposite of <paramref name="passage"/>: one of them is negated
    /// and the other not, or it uses one word of an opposite pair where the passage uses the other.
    /// </summary>
    public static bool Reverses(string sentence, string passage)
    {
        if (string.IsNullOrEmpty(passage)) return false;
        var said = Words(sentence);
        var source = Words(passage);
        if (IsNegated(said) != IsNegated(source)) return true;
        var saidSet = said.ToHashSet(StringComparer.Ordinal);
        var sourceSet = source.ToHashSet(StringComparer.Ordinal);
        foreach (var (up, down) in Opposites)
        {
            bool Says(HashSet<string> words, string[] group) => group.Any(words.Contains);
            var saidUp = Says(saidSet, up);
            var saidDown = Says(saidSet, down);
            var sourceUp = Says(sourceSet, up);
            var sourceDown = Says(sourceSet, down);
            if (saidUp && !saidDown && sourceDown && !sourceUp) return true;
            if (saidDown && !saidUp && sourceUp && !sourceDown) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a negation is present at all: counting them would read "not X without Y" as affirmative, and writers
    /// rephrase one negation as two. "Not only" and "not just" add rather than deny.
    /// </summary>
    private static bool IsNegated(List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (!Negators.Contains(word) && !word.EndsWith("n't", StringComparison.Ordinal)) continue;
            if (word == "not" && i + 1 < words.Count && words[i + 1] is "only" or "just" or "merely") continue;
            return true;
        }
        return false;
    }

    private static List<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant().Replace('’', '\'')).Select(m => m.Value).ToList();

    [GeneratedRegex(@"\b(half|halved?|halves|thirds?|quarters?|fifths?|tenths?)\b")]
    private static partial Regex FractionPattern();

    [GeneratedRegex(@"[a-z']+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\b(?:(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|double|doubles|twice|triple|triples)(?:[- ](?:three|four|five|six|seven|eight|nine|hundred|thousand|million|billion))*)\b")]
    private static partial Regex NumberWordPattern();

    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]|\(\d+\)|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(highlights?|sources?|passages?|notes?|sections?|themes?|quotes?|books?|articles?|authors?|sides?|things?|threads?|ways?|lines?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MetaCounts();
}
