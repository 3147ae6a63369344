using Hatch.Core.Domain;

namespace Hatch.Core.Hatching;

/// <summary>How many sections and advice items an article must have.</summary>
public sealed record ArticleRules(int MinSections, int MaxSections, int MinAdvice, int MaxAdvice)
{
    /// <summary>The contract a language model is held to.</summary>
    public static ArticleRules Strict { get; } =
        new(Article.MinSections, Article.MaxSections, Article.MinAdvice, Article.MaxAdvice);
}

/// <summary>
/// The last gate before anything is stored: structure, counts, and that every citation (listed or inline)
/// points at a highlight that was actually given to the writer. Messages name the part that is wrong so they
/// can be fed back to a model for repair or shown to a person.
/// </summary>
public static class ArticleValidator
{
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
