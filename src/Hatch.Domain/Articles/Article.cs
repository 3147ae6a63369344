using System.ComponentModel;
using System.Text.RegularExpressions;

namespace Hatch.Domain.Articles;

// The Article is the contract between Hatch and whatever writes the draft (the offline extractive
// writer or a language model through structured output). Its JSON schema is generated from these
// records, so every member is a plain, required, JSON-friendly value and the descriptions below are
// what the model reads.

[Description("An article drafted from a reader's numbered highlights.")]
public sealed record Article(
    [property: Description("A specific, engaging title that states the article's idea. Not a copy of a source title.")]
    string Title,
    [property: Description("One or two paragraphs that set up the article's thesis: the idea that connects everything below.")]
    string Overview,
    [property: Description("Between 2 and 6 analysis sections (three to five is usual), each drawing on at least two highlights.")]
    IReadOnlyList<ArticleSection> Sections,
    [property: Description("Exactly three concrete, actionable advice items that follow from the analysis.")]
    IReadOnlyList<AdviceItem> Advice,
    [property: Description("A closing paragraph that restates the thesis, draws on the advice and looks ahead.")]
    string Conclusion,
    [property: Description("Estimated reading time in whole minutes.")]
    int ReadingMinutes)
{
    public const int MinSections = 2;
    public const int MaxSections = 6;
    public const int MinAdvice = 3;
    public const int MaxAdvice = 7;

    /// <summary>
    /// How many advice items a model writes: three, as in the articles readers expect (a person editing may keep more
    /// or fewer, up to <see cref="MaxAdvice"/>).
    /// </summary>
    public const int ModelAdvice = 3;

    /// <summary>Every highlight number the article cites, listed or inline (the overview and conclusion cite only inline), ascending.</summary>
    public IReadOnlyList<int> AllCitations() =>
        Sections.SelectMany(s => s.Citations.Concat(Citations.Inline(s.Body)))
            .Concat(Advice.SelectMany(a => a.Citations.Concat(Citations.Inline(a.Detail))))
            .Concat(Citations.Inline(Overview))
            .Concat(Citations.Inline(Conclusion))
            .Where(n => n > 0)
            .Distinct()
            .Order()
            .ToArray();
}

/// <summary>Citation markers written inside text: [3] or [2, 5].</summary>
public static partial class Citations
{
    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex Marker();

    /// <summary>The numbers cited inline in <paramref name="text"/>; a number too large to read is returned as -1.</summary>
    public static IEnumerable<int> Inline(string? text) =>
        string.IsNullOrEmpty(text)
            ? []
            : Marker().Matches(text)
                .SelectMany(m => m.Groups[1].Value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Select(n => int.TryParse(n, out var value) ? value : -1);
}

[Description("One analysis section of the article.")]
public sealed record ArticleSection(
    [property: Description("A heading that states the section's claim, e.g. 'Practice compounds only with feedback'.")]
    string Heading,
    [property: Description("The section's text: one to three paragraphs. May cite inline as [n] or [n, m].")]
    string Body,
    [property: Description("The numbers of the highlights this section rests on (at least one).")]
    IReadOnlyList<int> Citations);

[Description("One piece of actionable advice.")]
public sealed record AdviceItem(
    [property: Description("A short imperative title, e.g. 'Schedule deliberate practice'.")]
    string Title,
    [property: Description("One or two sentences: what to do and why, following from the analysis.")]
    string Detail,
    [property: Description("The numbers of the highlights this advice rests on (at least one).")]
    IReadOnlyList<int> Citations);
