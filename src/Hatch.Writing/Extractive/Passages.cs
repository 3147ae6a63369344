using System.Text.RegularExpressions;
using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Decides what of a highlight can be quoted on its own: the whole highlight, or a run of its sentences (in their
/// order) that does not open by pointing back at something the cut removed ("If not, …", "This is why …").
/// </summary>
public static partial class Passages
{
    /// <summary>A quotation longer than this many words is cut to a run of whole sentences.</summary>
    public const int MaxQuotedWords = 70;

    // Openers that lean on a previous sentence: pronouns and demonstratives, connectives, and elliptical
    // conditionals. "It is/It's …" (an empty subject) and "That is why" still point back, so both are listed.
    [GeneratedRegex(@"^[""“‘'(\[]*(this|that|these|those|they|them|their|theirs|he|she|his|her|him|it|its|such|which|whose|but|and|or|nor|so|yet|also|then|thus|hence|therefore|however|otherwise|instead|still|besides|moreover|furthermore|meanwhile|likewise|similarly|consequently|accordingly|nevertheless|nonetheless|here|there's|the latter|the former|the same|another|if not|if so|even so|in turn|as a result|for this reason|because of this|on the other hand|in that case|after that|before that|at that point)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DanglingOpener();

    // "It is hard to …", "It takes …" name their subject after the verb; they stand alone.
    [GeneratedRegex(@"^[""“‘'(\[]*it(’s|'s| is| was| takes| helps| pays| costs| matters)\b(?! (why|because|what|how|the reason)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmptySubject();

    /// <summary>True when <paramref name="sentence"/> opens with a reference or connective whose antecedent is elsewhere.</summary>
    public static bool StartsWithDanglingReference(string sentence)
    {
        var s = sentence.TrimStart();
        return DanglingOpener().IsMatch(s) && !EmptySubject().IsMatch(s);
    }

    /// <summary>
    /// The sentences of a highlight worth quoting, in order: the whole highlight when it is short enough and opens
    /// cleanly, otherwise the first run that opens cleanly, up to <see cref="MaxQuotedWords"/>. Empty when every
    /// sentence leans on another or carries markup.
    /// </summary>
    public static (int Start, int Count) QuotableSpan(IReadOnlyList<string> sentences)
    {
        for (var start = 0; start < sentences.Count; start++)
        {
            if (StartsWithDanglingReference(sentences[start]) || !IsProse(sentences[start])) continue;
            var words = 0;
            var count = 0;
            for (var i = start; i < sentences.Count; i++)
            {
                if (!IsProse(sentences[i])) break;
                var w = WordCount(sentences[i]);
                if (count > 0 && words + w > MaxQuotedWords) break;
                words += w;
                count++;
            }
            return (start, count);
        }
        return (0, 0);
    }

    /// <summary>
    /// True when the passage tells what once happened rather than states something that holds: a past-tense story
    /// ("Our dog ate three packets of seed", "Fieldwork ran during the July heatwave") with no present-tense verb and
    /// no figure. Such asides colour a reading but do not head a section or make a section of their own. A study's
    /// finding is in the past tense too, but gives a figure, so it is not counted as one.
    /// </summary>
    public static bool IsNarrative(string passage)
    {
        var withoutYears = Year().Replace(passage, "");
        if (withoutYears.Any(char.IsDigit) || PresentVerb().IsMatch(passage)) return false;
        if (Prescriptive.StartsAsCommand(SentenceSplitter.Split(passage).FirstOrDefault() ?? passage)) return false;
        // A past-tense finding ("Drip lines placed under mulch lost almost nothing") is not a story: a story has a
        // teller or a moment ("I once sat through", "Our first season", "during the July heatwave").
        return PastVerb().IsMatch(passage) && StoryMarker().IsMatch(passage);
    }

    [GeneratedRegex(@"\b(?-i:I|We|My|Our)\b|\b(we|our|my|me|us|once|ago|yesterday|last (year|week|month|summer|winter|spring|autumn)|that (summer|winter|year|day|night|morning)|the (summer|winter|spring|autumn|year|day|night|morning) (i|we)|during the|in (1[5-9]|20)\d\d|as a (child|student)|first season)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StoryMarker();

    [GeneratedRegex(@"\b(1[5-9]|20)\d\d\b")]
    private static partial Regex Year();

    [GeneratedRegex(@"\b(is|are|isn't|aren't|am|does|do|doesn't|don't|has|have|can|cannot|can't|will|won't|should|must|need|needs|means|makes|keeps|takes|works|matters|becomes|belongs|tells|let|lets|never|always)\b|'re\b|’re\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PresentVerb();

    [GeneratedRegex(@"\b(was|were|had|did|ran|ate|broke|went|came|sat|wrote|took|got|made|said|told|found|felt|thought|chose|began|left|kept|saw|met|lost|won|bought|sold|smelled|smelt|once|\w{3,}ed)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PastVerb();

    /// <summary>Prose the reader wrote or highlighted: words, and no markup or bare addresses.</summary>
    public static bool IsProse(string sentence) =>
        WordCount(sentence) >= 3 && !Markup.Contains(sentence);

    public static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
