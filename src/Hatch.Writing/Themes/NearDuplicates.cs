using System.Globalization;
using System.Text;
using Hatch.Writing.Text;

namespace Hatch.Writing.Themes;

/// <summary>A new highlight that says what an existing one says, in nearly the same words.</summary>
public sealed record NearDuplicate(Guid NewId, Guid ExistingId, float Cosine, double WordOverlap);

/// <summary>
/// Probable duplicates at import: cosine at or above the threshold AND most words shared. Cosine alone would flag
/// two different authors making the same point (which is what Hatch wants to connect, not hide); word overlap
/// alone would flag a short quote inside a longer one with another meaning. Reported, never dropped.
/// </summary>
public static class NearDuplicates
{
    /// <summary>Jaccard overlap of the two passages' word sets; one word in ten changed still passes.</summary>
    public const double DefaultMinWordOverlap = 0.6;

    /// <summary>
    /// For each new highlight, its closest qualifying match among <paramref name="existing"/> and the new highlights
    /// before it (an export can repeat itself). Pairs in the order of <paramref name="incoming"/>.
    /// </summary>
    public static IReadOnlyList<NearDuplicate> Find(
        IReadOnlyList<EmbeddedHighlight> incoming,
        IReadOnlyList<EmbeddedHighlight> existing,
        double threshold = 0.95,
        double minWordOverlap = DefaultMinWordOverlap)
    {
        var result = new List<NearDuplicate>();
        var wordsCache = new Dictionary<Guid, HashSet<string>>();
        HashSet<string> WordsOf(EmbeddedHighlight h) =>
            wordsCache.TryGetValue(h.Id, out var w) ? w : wordsCache[h.Id] = Words(h.Text);

        for (var i = 0; i < incoming.Count; i++)
        {
            var candidate = incoming[i];
            NearDuplicate? best = null;
            void Consider(EmbeddedHighlight other)
            {
                if (other.Id == candidate.Id) return;
                var cosine = VectorMath.Cosine(candidate.Vector, other.Vector);
                if (cosine < threshold || (best is not null && cosine <= best.Cosine)) return;
                var overlap = Jaccard(WordsOf(candidate), WordsOf(other));
                if (overlap >= minWordOverlap) best = new NearDuplicate(candidate.Id, other.Id, cosine, Math.Round(overlap, 4));
            }
            foreach (var other in existing) Consider(other);
            for (var j = 0; j < i; j++) Consider(incoming[j]);
            if (best is not null) result.Add(best);
        }
        return result;
    }

    public static double Jaccard(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        var shared = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }

    /// <summary>Lower-cased words (letters and digits), all of them: wording is the point here, stopwords included.</summary>
    public static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var current = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch)) current.Append(char.ToLower(ch, CultureInfo.InvariantCulture));
            else if (current.Length > 0 && ch is not '\'' and not '’') { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>The text as a comparison key: words only, in order, so whitespace and punctuation do not matter.</summary>
    internal static string Canonical(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch)) builder.Append(char.ToLower(ch, CultureInfo.InvariantCulture));
            else if (builder.Length > 0 && builder[^1] != ' ') builder.Append(' ');
        }
        return builder.ToString().TrimEnd();
    }
}
