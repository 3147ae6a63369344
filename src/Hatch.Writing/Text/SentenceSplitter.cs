using System.Text;

namespace Hatch.Writing.Text;

/// <summary>
/// Splits prose into sentences. Highlights are messy (fragments, quotes, abbreviations, numbers), so a
/// period only ends a sentence when it is followed by space and a plausible sentence start, and is not part
/// of a known abbreviation, an initial or a decimal.
/// </summary>
public static class SentenceSplitter
{
    // Lower-cased, without the final period. These never end a sentence in practice, so the next word
    // stays in the same sentence even when it is capitalised ("Dr. Walker", "e.g. Kindle").
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "cf", "al", "fig", "figs",
        "no", "nos", "vol", "vols", "pp", "p", "ch", "chap", "sec", "ed", "eds", "approx", "est", "inc", "ltd", "co",
        "corp", "dept", "univ", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "ph.d", "b.a", "m.a", "viz",
    };

    private const string Closers = "\"'”’)]»";
    private const string Openers = "\"'“‘([«¿¡";

    public static IReadOnlyList<string> Split(string? text)
    {
        var sentences = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return sentences;

        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            // A blank line always ends a sentence: highlights often join paragraphs without punctuation.
            if (ch == '\n' && NextNonSpaceIsNewline(text, i + 1, out var after))
            {
                Add(sentences, text, start, i);
                start = i = after;
                continue;
            }
            if (ch is '.' or '!' or '?' or '…')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is '.' or '!' or '?' or '…') end++;
                while (end < text.Length && Closers.Contains(text[end])) end++;
                if (end >= text.Length) break;
                if (char.IsWhiteSpace(text[end]) && IsBoundary(text, start, i, end))
                {
                    Add(sentences, text, start, end);
                    start = end;
                }
                i = end;
                continue;
            }
            i++;
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsBoundary(string text, int sentenceStart, int mark, int afterMark)
    {
        var next = afterMark;
        while (next < text.Length && char.IsWhiteSpace(text[next])) next++;
        if (next >= text.Length) return true;
        var nextChar = text[next];
        while (next < text.Length && Openers.Contains(text[next])) next++;
        if (next < text.Length) nextChar = text[next];
        // A lower-case continuation means the mark was not a sentence end ("approx. ten", "e.g. this").
        if (char.IsLower(nextChar)) return false;
        if (text[mark] != '.') return true;

        var word = WordBefore(text, sentenceStart, mark);
        if (word.Length == 0) return true;
        var lower = word.ToLowerInvariant();
        if (Abbreviations.Contains(lower)) return false;
        // A single capital letter is an initial ("J. K. Rowling"); dotted forms like "U.S." are abbreviations.
        if (word.Length == 1 && char.IsUpper(word[0])) return false;
        if (word.Contains('.') && word.Replace(".", "").All(char.IsLetter) && word.Replace(".", "").Length <= 4) return false;
        return true;
    }

    private static string WordBefore(string text, int sentenceStart, int mark)
    {
        var begin = mark;
        while (begin > sentenceStart && (char.IsLetterOrDigit(text[begin - 1]) || text[begin - 1] == '.')) begin--;
        return text[begin..mark];
    }

    private static bool NextNonSpaceIsNewline(string text, int from, out int after)
    {
        var j = from;
        while (j < text.Length && text[j] is ' ' or '\t' or '\r') j++;
        after = j + 1;
        return j < text.Length && text[j] == '\n';
    }

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        var builder = new StringBuilder(end - start);
        var pendingSpace = false;
        for (var k = start; k < end; k++)
        {
            if (char.IsWhiteSpace(text[k])) { pendingSpace = builder.Length > 0; continue; }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(text[k]);
        }
        if (builder.Length > 0) sentences.Add(builder.ToString());
    }
}
