using System.Text.RegularExpressions;
using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Clauses of a passage that can head a section or title an article: a sentence, or the part of one before a
/// semicolon, colon, dash or comma, that reads as a claim or a whole phrase on its own ("Resting lets the juices
/// settle back into the fibres", "Add acid at the end"). Readers found one-word headings ("Pan", "Salt") named a
/// word, not what the section says; a clause the section itself states names its point, in its own words.
/// </summary>
public static partial class Claims
{
    public const int MinWords = 3;
    public const int MaxWords = 12;

    // A clause opening with one of these needs the clause it was cut from ("When a dish tastes flat", "If you did not salt").
    private static readonly HashSet<string> Subordinate = new(StringComparer.OrdinalIgnoreCase)
    {
        "when", "if", "while", "because", "although", "though", "as", "since", "unless", "before", "after", "once", "until",
        "whether", "where", "what", "how", "who", "whom", "even", "not", "rather", "than", "to", "for", "in", "on", "at", "with",
        "by", "from", "of", "whereas", "whenever", "wherever", "like", "about", "into", "onto", "upon", "just", "only", "except",
        "across", "among", "between", "during", "within", "without", "through", "under", "over", "beyond", "despite", "honestly",
        "actually", "perhaps", "maybe", "yes", "no", "well", "oh", "instead", "after", "per", "you'd", "you’d", "would",
    };

    // The author's or the reader's person makes a heading speak as someone ("the most common mistake I see").
    private static readonly HashSet<string> Personal = new(StringComparer.OrdinalIgnoreCase)
    {
        "i", "i'm", "i’m", "i've", "i’ve", "i'd", "i’d", "i'll", "i’ll", "me", "my", "mine", "myself", "we", "we're", "we’re", "our", "ours", "us",
        "he", "she", "him", "her", "they", "them", "their", "it", "its", "this", "these", "those", "here", "there",
    };

    // A heading never ends on a word that waits for more: an article, a preposition, a conjunction, an auxiliary.
    private static readonly HashSet<string> WeakEndings = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "of", "to", "and", "or", "at", "in", "on", "for", "with", "by", "from", "your", "our", "their",
        "that", "is", "be", "you", "as", "but", "if", "than", "into", "my", "his", "her", "its", "this", "these", "every",
        "each", "all", "some", "any", "very", "more", "not", "so", "when", "where", "how", "what", "who", "it", "we", "they",
        "i", "was", "are", "were", "has", "have", "can", "will", "about", "over", "after", "before", "until", "while", "would",
        "could", "should", "must", "may", "might", "do", "does", "did", "been", "being", "which", "whose", "just", "only",
    };

    // Words that keep a heading lower-case in title case, unless they open it.
    private static readonly HashSet<string> Minor = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "and", "or", "nor", "but", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "than",
        "per", "via", "vs", "into", "onto", "up", "off", "out",
    };

    // A colon between digits is a time ("22:00"), not a break between clauses.
    [GeneratedRegex(@"\s*(?:;|(?<!\d):(?!\d)|—|–|\s-\s)\s*")]
    private static partial Regex StrongBreak();

    [GeneratedRegex(@"\s(which|because|unless|until|so that|rather than|even though|even if|whereas|while|when|if)\s", RegexOptions.IgnoreCase)]
    private static partial Regex MainClauseEnd();

    [GeneratedRegex(@"\b(less|more|better|worse|rather|fewer|so|such|too)$", RegexOptions.IgnoreCase)]
    private static partial Regex Comparatives();

    [GeneratedRegex(@"[“”""(){}\[\]<>*_#`|]|https?:|www\.")]
    private static partial Regex Unfit();

    /// <summary>The clauses of <paramref name="passage"/> that stand alone as a heading, in reading order, without duplicates.</summary>
    public static IReadOnlyList<string> Of(string passage)
    {
        var found = new List<string>();
        foreach (var sentence in SentenceSplitter.Split(passage))
        {
            var s = sentence.Trim().TrimEnd('.', '!', ' ');
            if (s.EndsWith('?')) continue;
            Consider(s);
            foreach (var piece in StrongBreak().Split(s))
            {
                Consider(piece);
                var comma = piece.IndexOf(", ", StringComparison.Ordinal);
                if (comma > 0) Consider(piece[..comma]);
                // The main clause before a comparison or a subordinate one is a whole claim too:
                // "An instant-read thermometer removes more guesswork" (than any technique in this book).
                var main = MainClauseEnd().Match(comma > 0 ? piece[..comma] : piece);
                // "Tracking a habit works less | because …" waits for its comparison: not a whole claim.
                if (main.Success && main.Index > 0 && !Comparatives().IsMatch((comma > 0 ? piece[..comma] : piece)[..main.Index]))
                    Consider((comma > 0 ? piece[..comma] : piece)[..main.Index]);
            }
        }
        return found;

        void Consider(string clause)
        {
            // "You should decide in advance" heads a section as the command "Decide in advance".
            var c = Prescriptive.AsCommand(clause.Trim()).TrimEnd('.', ',', ';', ':', '!', ' ');
            if (Fits(c) && !found.Contains(c, StringComparer.OrdinalIgnoreCase)) found.Add(c);
        }
    }

    /// <summary>True when <paramref name="clause"/> can stand alone as a heading: a whole phrase of 3–10 words in nobody's person.</summary>
    public static bool Fits(string clause)
    {
        if (clause.Length == 0 || Unfit().IsMatch(clause) || Markup.Contains(clause)) return false;
        var words = Words(clause);
        if (words.Length is < MinWords or > MaxWords) return false;
        var first = words[0].ToLowerInvariant();
        if (Subordinate.Contains(first) || Passages.StartsWithDanglingReference(clause)) return false;
        if (words.Any(w => Personal.Contains(w.ToLowerInvariant().Trim(',', '.', '!', '?', ';', ':')))) return false;
        var last = words[^1].ToLowerInvariant().Trim(',', '.', '!', '?', ';', ':', '\'', '’');
        if (WeakEndings.Contains(last) || last.Length < 2) return false;
        // "Most recreational runners do the opposite" points at what came before it, wherever the pointer stands.
        if (Regex.IsMatch(clause, @"\b(the (opposite|same|former|latter|reverse|other way)|such|likewise|as well)\b", RegexOptions.IgnoreCase)) return false;
        // A clause of mostly function words ("It is not what you think") says nothing a heading can carry.
        return words.Count(w => !Stopwords.Contains(w.ToLowerInvariant().Trim(',', '.', '\'', '’'))) >= 2;
    }

    private static readonly HashSet<string> Negators = new(StringComparer.OrdinalIgnoreCase)
    {
        "not", "no", "never", "cannot", "can't", "don't", "doesn't", "isn't", "aren't", "won't", "without", "nor", "none",
        "nothing", "neither", "nobody", "rarely", "seldom", "hardly", "unless", "wasn't", "weren't", "didn't",
    };

    /// <summary>
    /// What to restate of a passage: the clause, or the whole sentence it comes from when the rest of that sentence
    /// carries a negation ("A to-do list is a list of options, not a plan"), since the clause alone would drop it.
    /// </summary>
    public static string Restated(string clause, string passage)
    {
        var sentence = SentenceSplitter.Split(passage).FirstOrDefault(s => s.Contains(clause, StringComparison.Ordinal));
        if (sentence is null) return clause;
        // The whole sentence when it is short enough to restate: a clause can drop what qualifies it.
        if (Words(sentence).Length <= 24) return sentence.Trim().TrimEnd('.', '!', ' ');
        var inClause = Words(clause).Select(w => w.Trim(',', '.', ';', ':').ToLowerInvariant()).ToHashSet();
        var negatedElsewhere = Words(sentence).Select(w => w.Trim(',', '.', ';', ':', '!', '?').ToLowerInvariant().Replace('’', '\''))
            .Any(w => Negators.Contains(w) && !inClause.Contains(w));
        return negatedElsewhere ? sentence.Trim().TrimEnd('.', '!', ' ') : clause;
    }

    public static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"resting lets the juices settle" → "Resting Lets the Juices Settle"; acronyms and inner capitals stay.</summary>
    public static string TitleCase(string clause)
    {
        var words = Words(clause.Trim().TrimEnd('.', '!', ' '));
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (i > 0 && i < words.Length - 1 && Minor.Contains(w)) { words[i] = w.ToLowerInvariant(); continue; }
            words[i] = string.Join('-', w.Split('-').Select(p => p.Length == 0 || !char.IsLetter(p[0]) ? p : char.ToUpperInvariant(p[0]) + p[1..]));
        }
        return string.Join(' ', words);
    }

    // Words that open a sentence only because sentences open with something: never a name, so they may be lower-cased.
    private static readonly HashSet<string> CommonOpeners = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "this", "that", "these", "those", "it", "its", "it's", "it’s", "they", "their", "them", "there", "here",
        "he", "she", "his", "her", "you", "your", "we", "our", "one", "some", "most", "many", "much", "more", "less", "few", "fewer",
        "every", "each", "all", "any", "no", "none", "nothing", "everything", "something", "anything", "nobody", "everyone",
        "someone", "people", "what", "which", "who", "when", "if", "while", "because", "although", "as", "so", "but", "and", "or",
        "yet", "then", "now", "good", "great", "small", "big", "both", "either", "neither", "other", "another", "such", "only",
        "never", "always", "often", "sometimes", "even", "just", "not", "to", "in", "on", "at", "for", "with", "by", "from", "of",
    };

    /// <summary>
    /// The clause as it continues a sentence of the writer's: the first letter is lower-cased only when the first word
    /// is a common word (a function word or pronoun, or one the passage itself writes lower-case elsewhere), so a name
    /// that opens the clause ("Beirut in 1998 smelled of diesel") keeps its capital. Acronyms and "I" always stay.
    /// </summary>
    /// <param name="context">Text the clause comes from (its passage), to see whether the first word is written lower-case there.</param>
    public static string Inline(string clause, string? context = null)
    {
        var c = clause.Trim().TrimEnd('.', '!', ' ');
        if (c.Length < 2) return c;
        var first = Words(c)[0];
        if (first.Length > 1 && first.Skip(1).Any(char.IsUpper)) return c;
        if (!char.IsUpper(c[0])) return c;
        var bare = first.Trim(',', '.', ';', ':', '!', '?', '"', '“', '”', '‘', '’', '(', ')');
        if (bare.Length == 0 || bare == "I" || bare.StartsWith("I’", StringComparison.Ordinal) || bare.StartsWith("I'", StringComparison.Ordinal)) return c;
        var lower = char.ToLowerInvariant(bare[0]) + bare[1..];
        var common = CommonOpeners.Contains(bare)
            || Regex.IsMatch(c[first.Length..] + " " + (context ?? ""), @"(?<![\p{L}\p{N}])" + Regex.Escape(lower) + @"(?![\p{L}\p{N}])");
        return common ? char.ToLowerInvariant(c[0]) + c[1..] : c;
    }
}
