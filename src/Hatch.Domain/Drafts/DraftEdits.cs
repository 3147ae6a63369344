using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;

namespace Hatch.Domain.Drafts;

/// <summary>
/// Checks an edited article before it becomes a revision: the validator writers are held to (with counts an editor
/// may loosen) plus a check that every citation is one of the draft's own sources. Errors are keyed by the part
/// they are about ("sections[1]", "advice[0]", "overview") and name the section's heading.
/// </summary>
public static partial class DraftEdits
{
    /// <summary>An editor may cut or add sections and advice; every section and advice item still cites.</summary>
    public static ArticleRules Rules { get; } = new(1, 12, 0, 12);

    public const int WordsPerMinute = 220;

    /// <param name="citable">
    /// The numbers this editor may cite, when fewer than the draft's sources: a reviewer who is not the author sees only
    /// the highlights the article already cites, so an edit may not bring in (and show) the others.
    /// </param>
    public static IReadOnlyDictionary<string, string[]> Validate(Article? article, IReadOnlySet<int> sourceNumbers, IReadOnlySet<int>? citable = null)
    {
        var max = sourceNumbers.Count == 0 ? 0 : sourceNumbers.Max();
        var errors = ArticleValidator.Validate(article, max, Rules).ToList();
        if (article is not null)
        {
            void Check(string where, IEnumerable<int> cited)
            {
                var missing = cited.Where(n => n >= 1 && n <= max && !sourceNumbers.Contains(n)).Distinct().Order().ToArray();
                if (missing.Length > 0)
                    errors.Add($"{where}: cites [{string.Join(", ", missing)}], which {(missing.Length == 1 ? "is" : "are")} not among this draft's sources");
                var hidden = citable is null ? [] : cited.Where(n => sourceNumbers.Contains(n) && !citable.Contains(n)).Distinct().Order().ToArray();
                if (hidden.Length > 0)
                    errors.Add($"{where}: cites [{string.Join(", ", hidden)}], which the article does not cite yet; a reviewer may cite only the highlights the article already cites");
            }
            var sections = article.Sections ?? [];
            for (var i = 0; i < sections.Count; i++)
                if (sections[i] is { } s)
                    Check($"sections[{i}] \"{Shorten(s.Heading)}\"", (s.Citations ?? []).Concat(Citations.Inline(s.Body)));
            var advice = article.Advice ?? [];
            for (var i = 0; i < advice.Count; i++)
                if (advice[i] is { } a)
                    Check($"advice[{i}] \"{Shorten(a.Title)}\"", (a.Citations ?? []).Concat(Citations.Inline(a.Detail)));
            Check("overview", Citations.Inline(article.Overview));
            Check("conclusion", Citations.Inline(article.Conclusion));
        }
        return errors
            .GroupBy(Key)
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>"sections[1] \"Heading\": …" is about sections[1]; "title: …" about title.</summary>
    private static string Key(string error)
    {
        var match = KeyPattern().Match(error);
        return match.Success ? match.Groups[1].Value : "article";
    }

    [GeneratedRegex(@"^([a-zA-Z]+(?:\[\d+\])?)")]
    private static partial Regex KeyPattern();

    /// <summary>The article as saved: trimmed text, citations in order, the reading time recomputed from its words.</summary>
    public static Article Normalize(Article article)
    {
        var sections = (article.Sections ?? []).Select(s => new ArticleSection(
            (s.Heading ?? "").Trim(), (s.Body ?? "").Trim(), (s.Citations ?? []).Distinct().Order().ToArray())).ToArray();
        var advice = (article.Advice ?? []).Select(a => new AdviceItem(
            (a.Title ?? "").Trim(), (a.Detail ?? "").Trim(), (a.Citations ?? []).Distinct().Order().ToArray())).ToArray();
        var normalized = new Article((article.Title ?? "").Trim(), (article.Overview ?? "").Trim(), sections, advice, (article.Conclusion ?? "").Trim(), 0);
        return normalized with { ReadingMinutes = ReadingMinutes(normalized) };
    }

    public static int ReadingMinutes(Article article)
    {
        var words = Words(article.Title) + Words(article.Overview) + Words(article.Conclusion)
            + article.Sections.Sum(s => Words(s.Heading) + Words(s.Body))
            + article.Advice.Sum(a => Words(a.Title) + Words(a.Detail));
        return Math.Max(1, (int)Math.Round(words / (double)WordsPerMinute, MidpointRounding.AwayFromZero));
    }

    private static int Words(string? text) =>
        string.IsNullOrWhiteSpace(text) ? 0 : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>A section with its body replaced; its citation list becomes what the new body cites inline (if anything).</summary>
    public static Article ReplaceSectionBody(Article article, int index, string body)
    {
        var sections = article.Sections.ToArray();
        var old = sections[index];
        var inline = Citations.Inline(body).Where(n => n > 0).Distinct().Order().ToArray();
        sections[index] = new ArticleSection(old.Heading, body.Trim(), inline.Length > 0 ? inline : old.Citations);
        return Normalize(article with { Sections = sections });
    }

    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : text[..39] + "…";

    /// <summary>A URL path segment from a title: lower-case ASCII letters and digits joined by '-', accents folded.</summary>
    public static string Slugify(string title, int maxLength = 80)
    {
        var decomposed = (title ?? "").Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var dash = false;
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            var c = char.ToLowerInvariant(ch);
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (dash && builder.Length > 0) builder.Append('-');
                builder.Append(c);
                dash = false;
            }
            else dash = true;
        }
        var slug = builder.ToString();
        if (slug.Length > maxLength)
        {
            var cut = slug.LastIndexOf('-', maxLength);
            slug = slug[..(cut > maxLength / 2 ? cut : maxLength)].Trim('-');
        }
        return slug.Length == 0 ? "article" : slug;
    }
}
