using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Writing.Text;

namespace Hatch.Writing.Grounding;

/// <summary>One sentence of an article and the highlights it is held to.</summary>
/// <param name="Part">"overview", "sections[1]", "advice[0]" or "conclusion".</param>
/// <param name="Sentence">As written, with its citation markers.</param>
/// <param name="Citations">
/// Its own inline citations, or (when it has none) those of its paragraph, else of its part, else every highlight the
/// writer was given: a part that cites nothing (a conclusion) speaks of the reading as a whole.
/// </param>
/// <param name="CitesItself">False when <paramref name="Citations"/> were inherited: such a sentence may only restate or join what they say.</param>
public sealed record ArticleSentence(string Part, string Sentence, IReadOnlyList<int> Citations, bool CitesItself);

/// <summary>Splits the prose of an article (overview, section bodies, advice details, conclusion) into the sentences the check scores.</summary>
public static partial class ArticleSentences
{
    /// <param name="given">The numbers of every highlight the writer was given.</param>
    public static IReadOnlyList<ArticleSentence> Of(Article article, IReadOnlyList<int> given)
    {
        var all = given.Count > 0 ? given : article.AllCitations();
        var sentences = new List<ArticleSentence>();
        Add(sentences, "overview", article.Overview, [], all);
        for (var i = 0; i < article.Sections.Count; i++)
            Add(sentences, $"sections[{i}]", article.Sections[i].Body, article.Sections[i].Citations, all);
        for (var i = 0; i < article.Advice.Count; i++)
            Add(sentences, $"advice[{i}]", article.Advice[i].Detail, article.Advice[i].Citations, all);
        Add(sentences, "conclusion", article.Conclusion, [], all);
        return sentences;
    }

    /// <summary>
    /// The sentences of one paragraph-structured text. A citation marker written after the closing quote of a
    /// sentence ("… end." [3]) belongs to that sentence, although a plain splitter would start the next one with it.
    /// </summary>
    public static IReadOnlyList<string> Split(string? text)
    {
        var sentences = new List<string>();
        foreach (var raw in SentenceSplitter.Split(text))
        {
            var sentence = raw;
            var leading = LeadingMarkers().Match(sentence);
            if (leading.Success && sentences.Count > 0)
            {
                sentences[^1] = sentences[^1] + " " + leading.Value.Trim();
                sentence = sentence[leading.Length..];
            }
            if (sentence.Any(char.IsLetterOrDigit) && !OnlyMarkers().IsMatch(sentence)) sentences.Add(sentence.Trim());
            else if (sentences.Count > 0 && sentence.Trim().Length > 0) sentences[^1] = sentences[^1] + " " + sentence.Trim();
        }
        return sentences;
    }

    /// <summary>The text without its citation markers: what is compared with the highlights.</summary>
    public static string WithoutMarkers(string sentence) =>
        Spaces().Replace(Marker().Replace(sentence, ""), " ").Replace(" .", ".").Replace(" ,", ",").Trim();

    private static void Add(List<ArticleSentence> into, string part, string? text, IReadOnlyList<int> listed, IReadOnlyList<int> all)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        var partCitations = Valid(listed.Concat(Citations.Inline(text)));
        foreach (var paragraph in Paragraphs().Split(text))
        {
            var paragraphCitations = Valid(Citations.Inline(paragraph));
            foreach (var sentence in Split(paragraph))
            {
                var own = Valid(Citations.Inline(sentence));
                // A sentence that cites nothing joins what its paragraph and its part cite ("Ellison and Wren reach
                // practice from two sides" introduces one quote of each), so it is held to all of them.
                // The overview and the conclusion speak for the whole reading, so theirs are held to every highlight given.
                var joined = Valid(paragraphCitations.Concat(partCitations));
                var inherited = joined.Count > 0 && part is not ("overview" or "conclusion") ? joined : all;
                into.Add(own.Count > 0
                    ? new ArticleSentence(part, sentence, own, CitesItself: true)
                    : new ArticleSentence(part, sentence, inherited, CitesItself: false));
            }
        }
    }

    private static IReadOnlyList<int> Valid(IEnumerable<int> numbers) => numbers.Where(n => n > 0).Distinct().Order().ToArray();

    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^(\s*\[(\d+(?:\s*[,;]\s*\d+)*)\][.!?]?)+")]
    private static partial Regex LeadingMarkers();

    [GeneratedRegex(@"^[\s\[\]\d,;.!?]*$")]
    private static partial Regex OnlyMarkers();

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex Paragraphs();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Spaces();
}
