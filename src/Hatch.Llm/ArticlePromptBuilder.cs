using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Hatch.Llm;

/// <summary>The variables for one Article prompt and which highlights made it in.</summary>
public sealed record ArticlePrompt(
    KernelArguments Arguments,
    IReadOnlyList<NumberedHighlight> Included,
    IReadOnlyList<NumberedHighlight> LeftOut,
    string? LeftOutReason,
    int EstimatedPromptTokens,
    int HighlightBudgetTokens)
{
    public IReadOnlySet<int> SentNumbers { get; } = Included.Select(h => h.Number).ToHashSet();
}

/// <summary>
/// Fits the highlights into the model's context: whole highlights only, most central first (the ranking the
/// extractive writer uses), leaving room for the reply and for one larger retry or repair round.
/// </summary>
public sealed partial class ArticlePromptBuilder
{
    /// <summary>Chat framing (roles, separators) the tokenizer does not see in the template text.</summary>
    private const int FramingTokens = 64;

    /// <summary>After this many candidates in a row did not fit, the rest are left out without being counted.</summary>
    private const int MaxConsecutiveMisses = 64;

    private readonly PromptTemplate _template;
    private readonly TokenCounter _tokens;
    private readonly LlmOptions _options;
    private readonly int _templateTokens;
    private readonly int _schemaTokens;
    private readonly bool _vectorsCarryMeaning;
    private readonly int _planReserveTokens;

    /// <param name="themes">
    /// The grouper of the configured embedding model; stored vectors are used for themes only when it has more than
    /// word overlap to go on (not with Provider None). Null (a bench, a test) means stored vectors carry meaning.
    /// </param>
    public ArticlePromptBuilder(PromptLibrary prompts, TokenCounter tokens, IOptions<LlmOptions> options, ThemeGrouper? themes = null)
    {
        _template = prompts[PromptLibrary.Article];
        _tokens = tokens;
        _options = options.Value;
        _vectorsCarryMeaning = themes?.UsesEmbeddings ?? true;
        _templateTokens = tokens.Count(_template.Text);
        _schemaTokens = tokens.Count(SchemaInstruction);
        // Under Planned the write prompt also carries the plan: room for the plan call's whole reply, rendered.
        var plan = prompts[PromptLibrary.Plan];
        PlanOutputTokens = Math.Min(plan.DefaultMaxTokens ?? _options.MaxOutputTokens, _options.MaxOutputTokens);
        _planReserveTokens = _options.PipelineMode == DraftingPipeline.Planned ? PlanOutputTokens + 64 : 0;
    }

    /// <summary>The plan call's output budget: the Plan prompt's config.json max_tokens, capped by the setting.</summary>
    public int PlanOutputTokens { get; }

    /// <summary>The Article's JSON schema as text, for servers that take JSON mode but not json_schema.</summary>
    public static string SchemaJson { get; } = JsonSerializer.Serialize(
        AIJsonUtilities.CreateJsonSchema(typeof(Article), serializerOptions: JsonSerializerOptions.Default));

    private static string SchemaInstruction { get; } =
        "\nThe reply must be a JSON object that matches this JSON schema exactly (every property is required):\n" + SchemaJson;

    /// <summary>The output budget of the first attempt: the prompt's config.json max_tokens, capped by the setting.</summary>
    public int OutputTokens => Math.Min(_template.DefaultMaxTokens ?? _options.MaxOutputTokens, _options.MaxOutputTokens);

    public ArticlePrompt Build(ArticleRequest request, bool schemaInPrompt)
    {
        var options = request.Options;
        var highlights = request.Highlights;

        // Room for the reply twice over: once for the reply, once for either the longer retry after a
        // truncated reply or the repair round that quotes the previous reply.
        var budget = _options.ContextTokens - 2 * OutputTokens - _templateTokens - _schemaTokens - FramingTokens - 32 - _planReserveTokens;

        // Ranking only matters when something must be left out, and ranking a thousand highlights costs more than
        // counting them. So unless a rough estimate (about four characters a token, which overestimates English
        // prose by a third or more) says far too much was chosen, take the highlights in number order first and
        // fall back to ranking at the first one that does not fit; the counts are memoised, so the ranked pass
        // does not count anything twice.
        var estimate = highlights.Sum(h => (long)h.Highlight.Text.Length + (h.Highlight.Note?.Length ?? 0) + h.Highlight.Source.Title.Length + 40) / 4;
        var (formatted, included, leftOut, used) = estimate <= budget * 1.5
            ? Fit(highlights, Enumerable.Range(0, highlights.Count).ToArray(), budget, stopAtFirstMiss: true)
            : (null, [], [], 0);
        if (formatted is null)
            (formatted, included, leftOut, used) = Fit(highlights, CentralityRanker.Rank(highlights.Select(h => h.Highlight.Text).ToArray()), budget, stopAtFirstMiss: false);
        included.Sort();

        var block = new StringBuilder(used * 4);
        foreach (var index in included)
        {
            if (block.Length > 0) block.Append('\n');
            block.Append(formatted![index]); // only the first-miss pass returns null, and it is never the last one
        }

        var includedHighlights = included.Select(i => highlights[i]).ToArray();
        var leftOutHighlights = leftOut.Order().Select(i => highlights[i]).ToArray();
        string? reason = leftOutHighlights.Length == 0
            ? null
            : $"{leftOutHighlights.Length} of {highlights.Count} highlights did not fit the model's context " +
              $"({_options.ContextTokens:N0} tokens, {2 * OutputTokens:N0} kept for the reply); the most central were kept, " +
              $"left out: {NumbersShort(leftOutHighlights.Select(h => h.Number).ToArray())}";

        // The themes list costs tokens too; when it does not fit what is left of the budget the model groups on its own.
        var themes = Themes(includedHighlights, request.VectorsByContentHash);
        var themeTokens = themes.Length == 0 ? 0 : _tokens.Count(themes);
        if (themeTokens > budget - used)
        {
            themes = "";
            themeTokens = 0;
        }

        var arguments = new KernelArguments
        {
            ["author"] = InertName(options.AuthorName) is { Length: > 0 } name ? name : "the reader",
            ["style"] = options.Style,
            ["period"] = options.Period ?? "periodic",
            ["length"] = options.Length,
            ["language"] = ArticleLanguage.ForPrompt(options.Language),
            ["highlight_count"] = includedHighlights.Length.ToString(CultureInfo.InvariantCulture),
            ["highlight_numbers"] = Numbers(includedHighlights.Select(h => h.Number)),
            ["highlights"] = block.ToString(),
            ["themes"] = themes,
            ["schema"] = schemaInPrompt ? SchemaInstruction : "",
            ["plan"] = "",
            ["repair"] = "",
        };
        return new ArticlePrompt(arguments, includedHighlights, leftOutHighlights, reason,
            _templateTokens + (schemaInPrompt ? _schemaTokens : 0) + used + themeTokens + FramingTokens, budget);
    }

    /// <summary>
    /// The highlights sent, grouped by meaning (<see cref="ThemeGrouper"/> over the stored embeddings), offered to the
    /// model as suggested themes it may merge, regroup or leave; empty when the request carries no vectors for every highlight
    /// sent, when the vectors only know shared words, or when everything falls into one theme. The list holds only
    /// highlight numbers and counts, never highlight text, so it stays outside the fenced data block safely.
    /// </summary>
    internal string Themes(IReadOnlyList<NumberedHighlight> included, IReadOnlyDictionary<string, float[]>? vectorsByHash)
    {
        if (!_vectorsCarryMeaning || vectorsByHash is null || included.Count < MinHighlightsForThemes) return "";
        var vectors = new float[included.Count][];
        for (var i = 0; i < included.Count; i++)
            if (!vectorsByHash.TryGetValue(included[i].Highlight.ContentHash, out vectors[i]!)) return "";
        if (vectors.Select(v => v.Length).Distinct().Count() != 1) return "";

        var grouping = ThemeGrouper.Group(included.Select(h => h.Number).ToArray(), included.Select(h => h.Highlight.Text).ToArray(), vectors, MaxThemes);
        if (grouping.Groups.Count < 2) return "";
        var sourceOf = included.ToDictionary(h => h.Number, h => h.Highlight.Source.Title, EqualityComparer<int>.Default);
        // A suggestion, not an outline: a theme of one stray passage must not force a section of its own.
        var text = new StringBuilder("\nSuggested themes: the passages above, grouped by meaning by a program that does not read them. ")
            .Append("Use them as a starting point, not an outline: merge themes that make one claim, regroup passages that fit better elsewhere, and leave out a passage that fits nowhere. ")
            .Append("A theme with passages from several sources is a place to join what the sources say.\n");
        for (var t = 0; t < grouping.Groups.Count; t++)
        {
            var members = grouping.Groups[t].Order().ToArray();
            var sources = members.Select(n => sourceOf[n]).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            text.Append("- Theme ").Append(t + 1).Append(": highlights ").Append(Numbers(members))
                .Append(" (").Append(sources).Append(sources == 1 ? " source" : " sources").Append(")\n");
        }
        return text.ToString();
    }

    /// <summary>Fewer passages than this cannot make two themes worth a section each.</summary>
    internal const int MinHighlightsForThemes = 4;

    /// <summary>The Article asks for 2 to 6 sections; five themes leave the model room for one of its own.</summary>
    private const int MaxThemes = 5;

    /// <summary>
    /// Takes whole highlights in <paramref name="order"/> while they fit the budget. With
    /// <paramref name="stopAtFirstMiss"/>, gives up (Formatted is null) as soon as one does not fit.
    /// </summary>
    private (string?[]? Formatted, List<int> Included, List<int> LeftOut, int Used) Fit(
        IReadOnlyList<NumberedHighlight> highlights, IReadOnlyList<int> order, int budget, bool stopAtFirstMiss)
    {
        var formatted = new string?[highlights.Count];
        var included = new List<int>(Math.Min(highlights.Count, 256));
        var leftOut = new List<int>();
        var used = 0;
        var misses = 0;
        var position = 0;
        // Counting tokens is the cost here (~0.4 µs a token), so counting stops once the budget is full: either
        // nothing more can fit or many candidates in a row did not (a smaller, less central one might still squeeze
        // in, but looking through thousands of them for it is not worth the wait). One thread on purpose: the
        // tokenizer's word cache is shared and locked, and counting on two threads measured slower than on one.
        for (; position < order.Count && budget - used >= 4 && misses < MaxConsecutiveMisses; position++)
        {
            var index = order[position];
            var (text, cost) = Count(highlights[index]);
            if (used + cost <= budget)
            {
                formatted[index] = text;
                included.Add(index);
                used += cost;
                misses = 0;
            }
            else
            {
                if (stopAtFirstMiss) return (null, included, leftOut, used);
                leftOut.Add(index);
                misses++;
            }
        }
        for (; position < order.Count; position++)
            leftOut.Add(order[position]);
        return (formatted, included, leftOut, used);
    }

    private (string Text, int Cost) Count(NumberedHighlight highlight)
    {
        var text = Format(highlight);
        // The number changes from hatch to hatch, the rest of the entry does not: remember the rest's count and
        // add the "[n] " prefix generously (brackets, space, one token per three digits) plus the newline.
        var prefixLength = text.IndexOf(' ') + 1;
        var cost = _tokens.CountMemoized(text[prefixLength..]) + 3 + (highlight.Number.ToString(CultureInfo.InvariantCulture).Length + 2) / 3 + 1;
        return (text, cost);
    }

    /// <summary>Renders highlights for any prompt's data block (Digest and ReviseSection use it too).</summary>
    public static string FormatBlock(IEnumerable<NumberedHighlight> highlights) =>
        string.Join('\n', highlights.Select(Format));

    /// <summary>
    /// One highlight as a data entry. Untrusted text is neutralised so it cannot close the data block early:
    /// runs of '=' (the fence) are shortened and continuation lines are indented under their number.
    /// </summary>
    public static string Format(NumberedHighlight numbered)
    {
        var h = numbered.Highlight;
        var builder = new StringBuilder(h.Text.Length + 96);
        builder.Append('[').Append(numbered.Number).Append("] \"").Append(Inert(h.Text)).Append('"');
        builder.Append("\n    Source: ").Append(Inert(h.Source.Title));
        if (!string.IsNullOrWhiteSpace(h.Source.Author)) builder.Append(" by ").Append(Inert(h.Source.Author));
        if (h.Location is { IsEmpty: false } location) builder.Append(" (").Append(location).Append(')');
        if (!string.IsNullOrWhiteSpace(h.Note)) builder.Append("\n    Reader's note: ").Append(Inert(h.Note));
        return builder.ToString();
    }

    [GeneratedRegex("={3,}")]
    private static partial Regex Fence();

    [GeneratedRegex(@"\b(BEGIN|END)(\s+)(HIGHLIGHTS|SECTION|PLAN|SENTENCES)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Marker();

    /// <summary>
    /// The reader's display name as the system prompt may carry it: one line (no line breaks or control characters to
    /// start a message or a fence of its own), neutralised as highlights are, and at most 100 characters.
    /// </summary>
    public static string InertName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        var oneLine = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(part => new string(part.Where(c => !char.IsControl(c) && c is not ('<' or '>' or '{' or '}')).ToArray()))
            .Where(part => part.Length > 0));
        var inert = Inert(oneLine);
        return inert.Length <= 100 ? inert : inert[..100].TrimEnd();
    }

    internal static string Inert(string text)
    {
        var value = text.Contains("==", StringComparison.Ordinal) ? Fence().Replace(text, "==") : text;
        value = Marker().Replace(value, "$1-$3");
        return value.Contains('\n') ? value.ReplaceLineEndings("\n    ") : value;
    }

    private static string Numbers(IEnumerable<int> numbers) => string.Join(", ", numbers);

    /// <summary>Provenance is shown to editors: thousands of numbers would say less than a count.</summary>
    private static string NumbersShort(int[] numbers) =>
        numbers.Length <= 50 ? Numbers(numbers) : Numbers(numbers.Take(50)) + $" and {numbers.Length - 50:N0} more";
}
