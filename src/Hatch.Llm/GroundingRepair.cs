using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Microsoft.Extensions.AI;

namespace Hatch.Llm;

// The contract of the repair call (response_format json_schema, name "GroundingRepair"): one decision per
// unsupported sentence.

[Description("One repair for each numbered unsupported sentence.")]
public sealed record GroundingRepair(
    [property: Description("Exactly one repair per sentence listed, in any order.")]
    IReadOnlyList<SentenceRepair> Repairs);

[Description("What to do with one unsupported sentence.")]
public sealed record SentenceRepair(
    [property: Description("The number of the sentence, as listed.")]
    int Number,
    [property: Description("fix (rewrite it from the passages), cite (it is right but cites the wrong passages) or remove.")]
    string Action,
    [property: Description("For fix: the rewritten sentence with inline citations [n]. For cite and remove: an empty string.")]
    string Sentence,
    [property: Description("For fix and cite: the numbers of the passages the sentence rests on. For remove: an empty list.")]
    IReadOnlyList<int> Citations);

/// <summary>Renders the repair prompt's sentences and applies the model's repairs to the article.</summary>
public static partial class GroundingRepairs
{
    private static readonly JsonSerializerOptions ReplyJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static string SchemaJson { get; } = JsonSerializer.Serialize(
        AIJsonUtilities.CreateJsonSchema(typeof(GroundingRepair), serializerOptions: JsonSerializerOptions.Default));

    internal static string SchemaInstruction { get; } =
        "\nThe reply must be a JSON object that matches this JSON schema exactly (every property is required):\n" + SchemaJson;

    /// <summary>The numbered sentences for {{$sentences}}: where each stands, what it cites, and the sentence, inert.</summary>
    public static string RenderSentences(Article article, IReadOnlyList<UnsupportedSentence> unsupported)
    {
        var text = new StringBuilder();
        for (var i = 0; i < unsupported.Count; i++)
        {
            var u = unsupported[i];
            text.Append('(').Append(i + 1).Append(") in ").Append(Describe(article, u.Part))
                .Append(", citing [").Append(string.Join(", ", u.Citations)).Append("]:\n    ")
                .Append(ArticlePromptBuilder.Inert(u.Sentence)).Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string Describe(Article article, string part) => Part(part) switch
    {
        ("sections", var i) when i < article.Sections.Count => $"section {i + 1}, \"{ArticlePromptBuilder.Inert(article.Sections[i].Heading)}\"",
        ("advice", var i) when i < article.Advice.Count => $"advice {i + 1}, \"{ArticlePromptBuilder.Inert(article.Advice[i].Title)}\"",
        var (name, _) => "the " + name,
    };

    /// <summary>What came of applying the repairs: the article (null when none applied) and a line for provenance.</summary>
    public sealed record Outcome(Article? Article, string Note);

    /// <summary>
    /// Applies each repair to the sentence it names: a fix replaces the sentence, a cite replaces its markers, a
    /// remove deletes it. A repair that cites a number outside <paramref name="allowed"/>, names no listed sentence or
    /// whose sentence is no longer found is skipped; the pipeline re-checks whatever was applied.
    /// </summary>
    public static Outcome Apply(string reply, Article article, IReadOnlyList<UnsupportedSentence> unsupported, IReadOnlySet<int> allowed)
    {
        GroundingRepair? repair;
        try
        {
            repair = JsonSerializer.Deserialize<GroundingRepair>(ModelJson.StripFences(reply), ReplyJson);
        }
        catch (JsonException ex)
        {
            return new(null, $"the repair reply was not valid JSON ({ex.Message.Split(" Path:")[0]})");
        }
        int fixedCount = 0, cited = 0, removed = 0;
        var done = new HashSet<int>();
        foreach (var item in repair?.Repairs ?? [])
        {
            if (item is null || item.Number < 1 || item.Number > unsupported.Count || !done.Add(item.Number)) continue;
            var target = unsupported[item.Number - 1];
            var numbers = (item.Citations ?? []).Where(n => n > 0).Distinct().Order().ToArray();
            var action = (item.Action ?? "").Trim().ToLowerInvariant();
            string? replacement = action switch
            {
                "fix" when !string.IsNullOrWhiteSpace(item.Sentence) => WithCitations(item.Sentence.Trim(), numbers),
                "cite" when numbers.Length > 0 => WithCitations(Marker().Replace(target.Sentence, "").Trim(), numbers, replace: true),
                "remove" => "",
                _ => null,
            };
            var used = replacement is null ? [] : Citations.Inline(replacement).ToArray();
            if (replacement is null || used.Any(n => !allowed.Contains(n))) continue;
            var changed = Replace(article, target.Part, target.Sentence, replacement, used);
            if (changed is null) continue;
            article = changed;
            _ = action switch { "fix" => fixedCount++, "cite" => cited++, _ => removed++ };
        }
        // Every listed sentence without an applied repair (none given, refused, or no longer found) counts as skipped.
        var skipped = unsupported.Count - fixedCount - cited - removed;
        var note = $"fixed {fixedCount}, re-cited {cited}, removed {removed}, skipped {skipped} of {unsupported.Count}";
        return new(fixedCount + cited + removed > 0 ? article : null, note);
    }

    /// <summary>The sentence with <paramref name="numbers"/> as its marker, before its closing punctuation, unless it already cites inline.</summary>
    private static string WithCitations(string sentence, IReadOnlyList<int> numbers, bool replace = false)
    {
        if (numbers.Count == 0 || (!replace && Citations.Inline(sentence).Any())) return sentence;
        var marker = " [" + string.Join(", ", numbers) + "]";
        var end = sentence.Length;
        while (end > 0 && sentence[end - 1] is '.' or '!' or '?' or '"' or '”' or '’' or '\'') end--;
        return end == 0 ? sentence + marker : sentence[..end].TrimEnd() + marker + sentence[end..];
    }

    private static Article? Replace(Article article, string part, string sentence, string replacement, IReadOnlyList<int> cited)
    {
        string? Swap(string text)
        {
            var at = text.IndexOf(sentence, StringComparison.Ordinal);
            if (at < 0) return null;
            if (replacement.Length > 0)
                return text[..at] + replacement + text[(at + sentence.Length)..];
            // Removing: take one neighbouring space with it so no double space is left behind.
            var end = at + sentence.Length;
            if (end < text.Length && text[end] == ' ') end++;
            else if (at > 0 && text[at - 1] == ' ') at--;
            return (text[..at] + text[end..]).Trim();
        }
        static IReadOnlyList<int> Union(IReadOnlyList<int> listed, IReadOnlyList<int> added) => listed.Concat(added).Distinct().Order().ToArray();

        switch (Part(part))
        {
            case ("overview", _):
                return Swap(article.Overview) is { } overview ? article with { Overview = overview } : null;
            case ("conclusion", _):
                return Swap(article.Conclusion) is { } conclusion ? article with { Conclusion = conclusion } : null;
            case ("sections", var i) when i < article.Sections.Count:
                if (Swap(article.Sections[i].Body) is not { } body) return null;
                var sections = article.Sections.ToArray();
                sections[i] = sections[i] with { Body = body, Citations = Union(sections[i].Citations, cited) };
                return article with { Sections = sections };
            case ("advice", var i) when i < article.Advice.Count:
                if (Swap(article.Advice[i].Detail) is not { } detail) return null;
                var advice = article.Advice.ToArray();
                advice[i] = advice[i] with { Detail = detail, Citations = Union(advice[i].Citations, cited) };
                return article with { Advice = advice };
            default:
                return null;
        }
    }

    /// <summary>"sections[2]" → ("sections", 2); "overview" → ("overview", 0).</summary>
    internal static (string Name, int Index) Part(string part)
    {
        var match = PartPattern().Match(part);
        return match.Success && match.Groups[2].Success
            ? (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            : (part, 0);
    }

    [GeneratedRegex(@"^([a-z]+)(?:\[(\d+)\])?$")]
    private static partial Regex PartPattern();

    [GeneratedRegex(@"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex Marker();
}
