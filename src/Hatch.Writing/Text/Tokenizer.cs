namespace Hatch.Writing.Text;

/// <summary>One word of a text: as written, and its stem (null for a stopword).</summary>
/// <param name="AfterBreak">
/// Punctuation, or the start of the text, separates it from the previous word, so the two never form a phrase.
/// Texts are tokenized a sentence at a time and then joined, so the first word must not pair with the last sentence's.
/// </param>
/// <param name="StartsClause">First word of the text or after . ! ? ; : where a command ("Write daily.") would begin.</param>
public readonly record struct Token(string Surface, string? Stem, bool AfterBreak, bool StartsClause = false)
{
    public bool IsContent => Stem is not null;
}

/// <summary>Words, lower-cased and stemmed, with English stopwords marked so they weigh nothing.</summary>
public static class Tokenizer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var afterBreak = true;
        var startsClause = true;
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (!char.IsLetterOrDigit(ch))
            {
                if (!char.IsWhiteSpace(ch) && ch is not '\'' and not '’' and not '-') afterBreak = true;
                if (ch is '.' or '!' or '?' or ';' or ':') startsClause = true;
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || IsInnerJoiner(text, i))) i++;
            var surface = text[start..i];
            tokens.Add(new Token(surface, StemOf(surface), afterBreak, startsClause));
            afterBreak = false;
            startsClause = false;
        }
        return tokens;
    }

    /// <summary>The stems of the content words, in order; what the vector models count.</summary>
    public static List<string> Stems(string text)
    {
        var stems = new List<string>();
        foreach (var token in Tokenize(text))
            if (token.Stem is { } stem) stems.Add(stem);
        return stems;
    }

    private static bool IsInnerJoiner(string text, int i) =>
        text[i] is '\'' or '’' or '-' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && i > 0 && char.IsLetterOrDigit(text[i - 1]);

    private static string? StemOf(string surface)
    {
        var lower = surface.ToLowerInvariant().Replace('’', '\'');
        if (lower.EndsWith("'s", StringComparison.Ordinal)) lower = lower[..^2];
        if (lower.Length < 2 || Stopwords.Contains(lower)) return null;
        // Bare numbers say little about a theme and make poor headings.
        if (lower.All(char.IsDigit)) return null;
        return Stemmer.Stem(lower);
    }
}

/// <summary>English function words plus the vague verbs and fillers that make useless headings.</summary>
public static class Stopwords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "almost", "also", "although", "always", "am", "among", "an",
        "and", "another", "any", "anyone", "anything", "are", "aren't", "around", "as", "at", "away", "back", "be", "became",
        "because", "become", "becomes", "been", "before", "being", "below", "best", "better", "between", "both", "but", "by",
        "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "done",
        "down", "during", "each", "either", "else", "enough", "even", "ever", "every", "everything", "few", "first", "for",
        "from", "further", "get", "gets", "getting", "give", "go", "goes", "going", "got", "had", "hadn't", "has", "hasn't",
        "have", "haven't", "having", "he", "he'd", "he'll", "her", "here", "hers", "herself", "him", "himself", "his", "how",
        "however", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "instead", "into", "is", "isn't", "it", "it'll", "it's",
        "its", "itself", "just", "keep", "know", "last", "least", "less", "let", "let's", "like", "likely", "little", "lot",
        "lots", "made", "make", "makes", "making", "many", "may", "maybe", "me", "might", "mine", "more", "most", "much",
        "must", "my", "myself", "need", "needs", "never", "new", "next", "no", "nor", "not", "nothing", "now", "of", "off",
        "often", "on", "once", "one", "ones", "only", "or", "other", "others", "otherwise", "ought", "our", "ours",
        "ourselves", "out", "over", "own", "per", "perhaps", "put", "quite", "rather", "really", "right", "said", "same",
        "say", "says", "see", "seem", "seems", "several", "shall", "she", "she'd", "she'll", "should", "shouldn't", "since",
        "so", "some", "something", "sometimes", "still", "such", "take", "takes", "than", "that", "that's", "the", "their",
        "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll", "they're",
        "they've", "thing", "things", "this", "those", "though", "through", "thus", "to", "too", "toward", "towards", "try",
        "under", "until", "up", "upon", "us", "use", "used", "using", "very", "via", "want", "wants", "was", "wasn't",
        "way", "ways", "we", "we'd", "we'll", "we're", "we've", "well", "were", "weren't", "what", "what's", "whatever",
        "when", "where", "whether", "which", "while", "who", "who's", "whole", "whom", "whose", "why", "will", "with",
        "within", "without", "won't", "would", "wouldn't", "yet", "you", "you'd", "you'll", "you're", "you've", "your",
        "yours", "yourself", "yourselves", "able", "actually", "already", "come", "comes", "day", "days", "find", "good",
        "great", "kind", "long", "look", "mean", "means", "part", "people", "point", "simply", "sure", "tell", "think",
        "time", "times", "today", "truly", "two", "three", "unless", "year", "years",
        // Advice cues and adverbs: they say how to act, never what the reading is about, and made headings like
        // "Avoid and Morning" or "Switch and Later".
        "avoid", "avoids", "avoided", "avoiding", "tried", "tries", "trying", "kept", "keeps", "keeping", "uses", "gotten",
        "later", "soon", "together", "alone", "ago", "anyway", "indeed", "especially", "usually", "exactly", "probably",
        "nearly", "mostly", "merely", "barely", "hardly", "certainly", "definitely", "basically", "generally", "whenever",
        "wherever", "whoever", "everyone", "someone", "somebody", "anybody", "nobody", "everybody", "along", "across",
        "behind", "beyond", "despite", "onto", "throughout", "unlike", "versus", "whereas", "besides", "beside", "okay",
        "etc", "stuff", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty", "thirty",
        "forty", "fifty", "hundred", "thousand", "million", "billion", "half", "twice", "second", "third", "sooner", "overnight",
    };

    public static bool Contains(string lowerWord) => Words.Contains(lowerWord);
}

/// <summary>
/// A light suffix stripper in the spirit of Porter's first steps: enough to fold plurals, -ing, -ed, -ly and a
/// final e together ("practice", "practices", "practising", "practiced" → "practic") without Porter's full rules.
/// The stem is only an identity for counting; headings use the words as written.
/// </summary>
public static class Stemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 3 || !word.All(char.IsAsciiLetterLower)) return word;
        var w = word;
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4) w = w[..^3] + "y";
        else if (w.EndsWith("sses", StringComparison.Ordinal)) w = w[..^2];
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
                 && !w.EndsWith("is", StringComparison.Ordinal)) w = w[..^1];

        if (w.EndsWith("ing", StringComparison.Ordinal) && HasVowel(w[..^3]) && w.Length > 5) w = UndoubleEnd(w[..^3]);
        else if (w.EndsWith("ed", StringComparison.Ordinal) && HasVowel(w[..^2]) && w.Length > 4) w = UndoubleEnd(w[..^2]);
        else if (w.EndsWith("ly", StringComparison.Ordinal) && w.Length > 5) w = w[..^2];

        if (w.EndsWith('e') && w.Length > 4) w = w[..^1];
        return w;
    }

    private static bool HasVowel(string s) => s.AsSpan().IndexOfAny("aeiouy") >= 0;

    private static string UndoubleEnd(string s) =>
        s.Length > 3 && s[^1] == s[^2] && s[^1] is not ('l' or 's' or 'z') && !"aeiou".Contains(s[^1]) ? s[..^1] : s;
}
