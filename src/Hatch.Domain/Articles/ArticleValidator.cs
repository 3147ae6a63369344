namespace Hatch.Domain.Articles;

/// <summary>How many sections and advice items an article must have.</summary>
public sealed record ArticleRules(int MinSections, int MaxSections, int MinAdvice, int MaxAdvice)
{
    /// <summary>
    /// Whether a link the highlights themselves quote may appear in the article. A writer that only copies the
    /// reader's sentences (the extractive one) can output nothing else; a model is held to the sources' own addresses,
    /// so a highlight saying "add a link to …" cannot smuggle a link into the article.
    /// </summary>
    public bool MayQuoteHighlightLinks { get; init; }

    /// <summary>The contract a language model is held to: its prompts ask for exactly three advice items.</summary>
    public static ArticleRules Strict { get; } =
        new(Article.MinSections, Article.MaxSections, Article.ModelAdvice, Article.ModelAdvice);
}

/// <summary>
/// The last gate before anything is stored: structure, counts, and that every citation (listed or inline)
/// points at a highlight that was actually given to the writer. Messages name the part that is wrong so they
/// can be fed back to a model for repair or shown to a person.
/// </summary>
public static partial class ArticleValidator
{
    /// <summary>
    /// Validates against the highlights actually given: the counts and citations of <see cref="Validate(Article?, int, ArticleRules?)"/>,
    /// and that every link in any text field is the address of one of their sources (see <see cref="ArticleRules.MayQuoteHighlightLinks"/>).
    /// </summary>
    public static IReadOnlyList<string> Validate(Article? article, IReadOnlyList<NumberedHighlight> inputs, ArticleRules? rules = null)
    {
        rules ??= ArticleRules.Strict;
        var errors = Validate(article, inputs.Count, rules).ToList();
        if (article is null) return errors;

        void Check(string where, string? text)
        {
            var foreign = ForeignLinks(text, inputs, rules.MayQuoteHighlightLinks);
            if (foreign.Count > 0)
                errors.Add($"{where}: {DescribeForeignLinks(foreign)}");
        }
        Check("title", article.Title);
        Check("overview", article.Overview);
        Check("conclusion", article.Conclusion);
        var sections = article.Sections ?? [];
        for (var i = 0; i < sections.Count; i++)
        {
            Check($"sections[{i}].heading", sections[i]?.Heading);
            Check($"sections[{i}] \"{Shorten(sections[i]?.Heading)}\".body", sections[i]?.Body);
        }
        var advice = article.Advice ?? [];
        for (var i = 0; i < advice.Count; i++)
        {
            Check($"advice[{i}].title", advice[i]?.Title);
            Check($"advice[{i}] \"{Shorten(advice[i]?.Title)}\".detail", advice[i]?.Detail);
        }
        return errors;
    }

    /// <summary>
    /// The links in <paramref name="text"/> (as written) that are not the address of one of <paramref name="inputs"/>'
    /// sources, nor, when <paramref name="mayQuote"/>, a link the highlights themselves contain.
    /// </summary>
    public static IReadOnlyList<string> ForeignLinks(string? text, IReadOnlyList<NumberedHighlight> inputs, bool mayQuote = false)
    {
        var links = LinkKeys(text).ToArray();
        if (links.Length == 0) return [];
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var input in inputs)
        {
            if (NormalizeLink(input.Highlight.Source.Url) is { } source) allowed.Add(source);
            if (!mayQuote) continue;
            foreach (var quoted in LinkKeys(input.Highlight.Text).Concat(LinkKeys(input.Highlight.Note)))
                allowed.Add(quoted.Key);
        }
        return links.Where(link => !allowed.Contains(link.Key)).Select(link => link.Raw).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>The error for foreign links, phrased so a model can repair it.</summary>
    public static string DescribeForeignLinks(IReadOnlyList<string> foreign) =>
        $"links to {string.Join(", ", foreign.Take(3))}, which {(foreign.Count == 1 ? "is" : "are")} not the address of any given highlight's source; link only to the sources given, or not at all";

    /// <summary>
    /// Every link-like thing in <paramref name="text"/>, normalized: absolute URLs of any scheme, www. addresses, and
    /// script-capable schemes (javascript:, data:, vbscript:) which are never a source's address.
    /// </summary>
    public static IEnumerable<string> Links(string? text) => LinkKeys(text).Select(link => link.Raw);

    /// <summary>Each link as written, and the key it is compared by.</summary>
    private static IEnumerable<(string Raw, string Key)> LinkKeys(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        foreach (System.Text.RegularExpressions.Match match in LinkPattern().Matches(text))
        {
            var raw = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '*', '_');
            yield return (raw, NormalizeLink(raw) ?? raw.ToLowerInvariant());
        }
    }

    /// <summary>One spelling per address, so "https://Example.org/a/" in the text matches "https://example.org/a" as a source.</summary>
    private static string? NormalizeLink(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var candidate = url.Trim();
        if (candidate.StartsWith("www.", StringComparison.OrdinalIgnoreCase)) candidate = "http://" + candidate;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https")) return uri.AbsoluteUri.ToLowerInvariant();
        // http and https of the same address are the same source.
        return (uri.Host + uri.PathAndQuery.TrimEnd('/') + uri.Fragment).ToLowerInvariant();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.|\b(?:javascript|vbscript|data|file):(?=[^\s<>""'`]))[^\s<>""'`]*",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex LinkPattern();

    /// <summary>The numbers cited inline in a text as [3] or [2, 5].</summary>
    public static IEnumerable<int> InlineCitations(string text) => Citations.Inline(text);

    public static IReadOnlyList<string> Validate(Article? article, int highlightCount, ArticleRules? rules = null)
    {
        rules ??= ArticleRules.Strict;
        var errors = new List<string>();
        if (article is null)
        {
            errors.Add("the article is missing");
            return errors;
        }

        RequireText(errors, "title", article.Title);
        RequireText(errors, "overview", article.Overview);
        RequireText(errors, "conclusion", article.Conclusion);
        CheckInline(errors, "overview", article.Overview, highlightCount, allowed: null);
        CheckInline(errors, "conclusion", article.Conclusion, highlightCount, allowed: null);

        var sections = article.Sections ?? [];
        if (sections.Count < rules.MinSections || sections.Count > rules.MaxSections)
            errors.Add($"sections: expected {Range(rules.MinSections, rules.MaxSections)} sections, got {sections.Count}");
        for (var i = 0; i < sections.Count; i++)
        {
            var section = sections[i];
            var where = $"sections[{i}] \"{Shorten(section?.Heading)}\"";
            if (section is null) { errors.Add($"sections[{i}]: missing"); continue; }
            RequireText(errors, $"sections[{i}].heading", section.Heading);
            RequireText(errors, $"{where}.body", section.Body);
            CheckCitations(errors, where, section.Citations, highlightCount);
            CheckInline(errors, where, section.Body ?? "", highlightCount, section.Citations);
        }

        var advice = article.Advice ?? [];
        if (advice.Count < rules.MinAdvice || advice.Count > rules.MaxAdvice)
            errors.Add($"advice: expected {Range(rules.MinAdvice, rules.MaxAdvice)} advice items, got {advice.Count}");
        for (var i = 0; i < advice.Count; i++)
        {
            var item = advice[i];
            var where = $"advice[{i}] \"{Shorten(item?.Title)}\"";
            if (item is null) { errors.Add($"advice[{i}]: missing"); continue; }
            RequireText(errors, $"advice[{i}].title", item.Title);
            RequireText(errors, $"{where}.detail", item.Detail);
            CheckCitations(errors, where, item.Citations, highlightCount);
            CheckInline(errors, where, item.Detail ?? "", highlightCount, item.Citations);
        }

        if (article.ReadingMinutes < 0)
            errors.Add("readingMinutes: must not be negative");
        return errors;
    }

    private static void RequireText(List<string> errors, string where, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add($"{where}: must not be empty");
    }

    private static void CheckCitations(List<string> errors, string where, IReadOnlyList<int>? citations, int highlightCount)
    {
        if (citations is null || citations.Count == 0)
        {
            errors.Add($"{where}: must cite at least one highlight");
            return;
        }
        var bad = citations.Where(c => c < 1 || c > highlightCount).Distinct().ToArray();
        if (bad.Length > 0)
            errors.Add($"{where}: cites {Numbers(bad)}, but only highlights {Range(1, highlightCount)} were given");
    }

    private static void CheckInline(List<string> errors, string where, string text, int highlightCount, IReadOnlyList<int>? allowed)
    {
        var inline = InlineCitations(text).Distinct().ToArray();
        var outOfRange = inline.Where(c => c < 1 || c > highlightCount).ToArray();
        if (outOfRange.Length > 0)
            errors.Add($"{where}: cites {Numbers(outOfRange)} inline, but only highlights {Range(1, highlightCount)} were given");
        if (allowed is not null)
        {
            var unlisted = inline.Where(c => c >= 1 && c <= highlightCount && !allowed.Contains(c)).ToArray();
            if (unlisted.Length > 0)
                errors.Add($"{where}: cites {Numbers(unlisted)} inline but does not list it in citations");
        }
    }

    private static string Numbers(IEnumerable<int> numbers) => "[" + string.Join(", ", numbers) + "]";

    private static string Range(int min, int max) => min == max ? $"{min}" : $"{min}–{max}";

    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : text[..39] + "…";
}

/// <summary>Raised when a writer's article fails validation; the message lists what is wrong.</summary>
public sealed class ArticleValidationException(IReadOnlyList<string> errors)
    : Exception("The drafted article is invalid: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
