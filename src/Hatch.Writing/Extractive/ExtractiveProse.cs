using System.Text;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// The extractive writer's own sentences: the ones that state the thread, join quotations and name their sources.
/// They are generated from the article's structure (which sources a section quotes, how close one section is to the
/// next, how much advice there is) and never claim more than that structure shows. Quotations are always in
/// quotation marks with their citation, so nothing the writer says can pass for the reader's words.
/// </summary>
internal sealed class ExtractiveProse(ArticleOptions options, Func<Highlight, string> sourceName)
{
    /// <param name="SameSubject">True when the passage is close in meaning (by the embeddings) to an earlier one of the section from another source.</param>
    /// <param name="Link">The reader's own note on this passage tying it to another quoted here ("Same idea as Brine &amp; Reason p.36"), or null.</param>
    /// <param name="LinkToAdvice">The name of the source the note points to when that passage is one of the advice items, or null.</param>
    public sealed record QuotePlan(string Text, int Number, string SourceKey, Highlight Highlight, bool SameSubject = false, string? Link = null, string? LinkToAdvice = null);

    /// <param name="Previous">The phrase of the section before, or null for the first.</param>
    /// <param name="Similarity">Cosine between this section's centre and the previous one's.</param>
    /// <param name="Next">The phrase of the section after, or null for the last.</param>
    /// <param name="Claim">The clause of the first quotation that heads the section, as written there, or null for a noun-phrase heading.</param>
    /// <param name="Shared">A phrase that passages of this section and of the previous one both use, or null.</param>
    /// <param name="PhraseSources">The sources whose quoted passages here use <paramref name="Phrase"/>.</param>
    public sealed record SectionPlan(string Heading, string Phrase, IReadOnlyList<QuotePlan> Quotes, string? Previous, double Similarity, string? Next,
        string? Claim = null, string? Shared = null, IReadOnlyList<string>? PhraseSources = null)
    {
        /// <summary>The quotation the heading's clause comes from.</summary>
        public QuotePlan? ClaimQuote => Claim is null ? null : Quotes.FirstOrDefault(q => q.Text.Contains(Claim, StringComparison.Ordinal)) ?? Quotes.FirstOrDefault();
    }

    public sealed record AdvicePlan(string Title, int Number);

    private static readonly string[] FirstLeads = ["puts it this way", "writes", "observes"];
    // A section quoting one source twice names it once; repeating a long title in every lead reads as a list.
    private static readonly string[] SameSourceLeads = ["{0} also writes: ", "Elsewhere in the same source: ", "{0} goes on elsewhere: "];

    // The verb forms the leads use, for a source written by several people ("Rosa Castellanos and Daniel Fenwick write").
    private static readonly Dictionary<string, string> PluralVerbs = new(StringComparer.Ordinal)
    {
        ["puts"] = "put", ["writes"] = "write", ["observes"] = "observe", ["goes"] = "go", ["takes"] = "take", ["adds"] = "add",
    };

    /// <summary>
    /// True when the source's author field names more than one person ("Rosa Castellanos and Daniel Fenwick",
    /// "Ng; Okafor", "Ames &amp; Bell", "Ann Lee, Bo Chen, Cy Diaz"). "Wren, Tomasz", as Kindle writes one author, is one.
    /// </summary>
    public static bool HasSeveralAuthors(Highlight highlight)
    {
        var author = highlight.Source.Author?.Trim();
        if (string.IsNullOrEmpty(author) || author.Equals("unknown", StringComparison.OrdinalIgnoreCase)) return false;
        if (author.Contains(" and ", StringComparison.OrdinalIgnoreCase) || author.Contains('&') || author.Contains(';')) return true;
        var parts = author.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 || parts.Length == 2 && parts.All(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2);
    }

    /// <summary>The verb in the form that agrees with the source: "writes" for one author, "write" for several.</summary>
    private static string Agree(string verbPhrase, Highlight highlight)
    {
        if (!HasSeveralAuthors(highlight)) return verbPhrase;
        var words = verbPhrase.Split(' ');
        for (var i = 0; i < words.Length; i++)
            if (PluralVerbs.TryGetValue(words[i].TrimEnd(':'), out var plural)) { words[i] = plural + words[i][words[i].TrimEnd(':').Length..]; break; }
        return string.Join(' ', words);
    }

    // ---------- overview ----------

    public string Overview(string? thread, IReadOnlyList<SectionPlan> sections, IReadOnlyList<AdvicePlan> advice, IReadOnlyList<Highlight> sources, QuotePlan? quote)
    {
        var names = Names(sources);
        var phrases = sections.Select(s => s.Phrase).ToArray();
        return options.Style switch
        {
            "briefing" when thread is null => $"Bottom line: the passages from {names} fall into {(phrases.Length == 1 ? "one part, " + phrases[0] : Count(phrases.Length) + " parts, " + KeyPhrases.JoinList(phrases))}, and they come with {AdviceShort(advice)}.",
            "newsletter" when thread is null => $"In this issue: {(phrases.Length == 1 ? "one short stop" : Count(phrases.Length) + " short stops")}, {KeyPhrases.JoinList(phrases)}. "
                + $"The passages come from {names}, and the issue closes with {AdviceShort(advice)}.",
            "briefing" => $"Bottom line: the passages from {names} converge on {thread}. "
                + (phrases.Length > 1 ? $"The passages fall into {Count(phrases.Length)} parts, {KeyPhrases.JoinList(phrases)}, and " : $"The passages stay with {phrases.FirstOrDefault() ?? thread}, and ")
                + AdviceShort(advice) + ".",
            "newsletter" => $"In this issue: {thread}, followed through {(phrases.Length == 1 ? "one short stop" : Count(phrases.Length) + " short stops")}: {KeyPhrases.JoinList(phrases)}. "
                + $"The passages come from {names}, and the issue closes with {AdviceShort(advice)}.",
            _ => Essay(),
        };

        string Essay()
        {
            var text = new StringBuilder();
            // The thread when one runs through the sections; then the path, by the sections' own points.
            text.Append(thread is null
                ? $"Read together, the passages from {names} make one point in each section below. "
                : $"Read together, the passages from {names} keep returning to {thread}; each section below takes up one of their points. ");
            text.Append(sections.Count switch
            {
                0 => "The article",
                1 => "The article stays with that point",
                _ => "The article takes them in turn",
            });
            text.Append($", and ends with {AdviceShort(advice)}.");
            if (quote is not null)
                text.Append("\n\n").Append("Of all the passages, the one closest in meaning to the whole reading is from ")
                    .Append(sourceName(quote.Highlight)).Append(": ").Append(Quoted(quote));
            return text.ToString();
        }
    }

    // ---------- sections ----------

    public string Section(SectionPlan plan) => options.Style switch
    {
        "briefing" => string.Join("\n", plan.Quotes.Select(q => $"- {Capitalize(sourceName(q.Highlight))}: {Quoted(q)}")),
        "newsletter" => Newsletter(plan),
        _ => Essay(plan),
    };

    private string Essay(SectionPlan plan)
    {
        var opening = new List<string>();
        if (plan.Previous is not null) opening.Add(Transition(plan));
        // Who writes about the section's key phrase is said only when the heading names it too: "both write about
        // pan" under "Salt and Acid Push Against Each Other" is true and reads as a non sequitur.
        if ((plan.Claim is null || plan.Claim.Contains(plan.Phrase.Split(' ')[^1], StringComparison.OrdinalIgnoreCase))
            && Agreement(plan) is { Length: > 0 } agreement) opening.Add(agreement);
        var paragraphs = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Quotes.Count; i++)
        {
            var quote = plan.Quotes[i];
            var name = Capitalize(sourceName(quote.Highlight));
            string lead;
            if (i == 0) lead = $"{name} {Agree(FirstLeads[(plan.Heading.Length + plan.Quotes.Count) % FirstLeads.Length], quote.Highlight)}: ";
            else if (seen.Contains(quote.SourceKey)) lead = plan.Quotes[i - 1].SourceKey == quote.SourceKey
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Agree(SameSourceLeads[(i + plan.Heading.Length) % SameSourceLeads.Length], quote.Highlight), name)
                : $"Elsewhere, {sourceName(quote.Highlight)} {Agree("writes", quote.Highlight)}: ";
            // "The same subject" only where the passages are close in meaning; it says nothing of agreement.
            else if (i > 0 && plan.Quotes[i - 1] is { Link: not null, LinkToAdvice: null }) lead = $"{name}, the passage your note points to: ";
            else lead = quote.SameSubject ? $"{name} {Agree("takes", quote.Highlight)} up the same subject: " : $"{name} {Agree("adds", quote.Highlight)}: ";
            seen.Add(quote.SourceKey);
            var sentence = lead + Quoted(quote);
            // The reader's own note relating this passage to the next source's: the synthesis the reader already made.
            if (quote.Link is not null)
                sentence += quote.LinkToAdvice is { } adviser
                    ? $" Your note on this passage draws the link to {adviser}, whose advice comes below: “{quote.Link.Trim()}” [{quote.Number}]"
                    : $" Your note on this passage draws the link: “{quote.Link.Trim()}” [{quote.Number}]";
            if (i == 0) paragraphs.Add(string.Join(' ', opening.Append(sentence)));
            else if (i % 2 == 1) paragraphs.Add(sentence);
            else paragraphs[^1] += " " + sentence;
        }
        return string.Join("\n\n", paragraphs);
    }

    private string Newsletter(SectionPlan plan)
    {
        var names = plan.Quotes.Select(q => sourceName(q.Highlight)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        // Said only as far as the section shows: who writes about its phrase, or whose passages it quotes.
        var using_ = (plan.PhraseSources ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var why = using_.Length > 1
            ? $"Why it matters: {KeyPhrases.JoinList(using_)} {(using_.Length == 2 ? "both" : "all")} write about {plan.Phrase}."
            : names.Length > 1
                ? $"Why it matters: this stop puts {KeyPhrases.JoinList(names)} side by side on {plan.Phrase}."
                : $"Why it matters: {names[0]} {Agree("writes", plan.Quotes[0].Highlight)} about {plan.Phrase} here.";
        var quotes = plan.Quotes.Select(q => $"{Capitalize(sourceName(q.Highlight))}: {Quoted(q)}");
        return why + "\n\n" + string.Join(" ", quotes);
    }

    /// <summary>
    /// How the section follows the one before, in words drawn from both: a phrase passages of both use, or, without
    /// one, only how near in meaning the two are.
    /// </summary>
    private static string Transition(SectionPlan plan) => (plan.Shared, plan.Similarity) switch
    {
        ({ } shared, _) => $"{Capitalize(shared)} {(IsPlural(shared) ? "link" : "links")} these passages to the ones before.",
        (_, >= 0.45) => "The passages here follow closely from the last ones.",
        (_, >= 0.2) => "From there the reading moves on.",
        _ => "Here the reading opens a separate line.",
    };

    /// <summary>Which sources meet in the section, counted exactly: said only when two or more of them use its phrase.</summary>
    private string Agreement(SectionPlan plan)
    {
        var names = (plan.PhraseSources ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return names.Length switch
        {
            < 2 => "",
            2 => $"{Capitalize(names[0])} and {names[1]} both write about {plan.Phrase}.",
            _ => $"{Capitalize(KeyPhrases.JoinList(names))} all write about {plan.Phrase}.",
        };
    }

    // ---------- conclusion ----------

    public string Conclusion(string? thread, IReadOnlyList<SectionPlan> sections, IReadOnlyList<AdvicePlan> advice, string? languageNotice)
    {
        var phrases = sections.Select(s => s.Phrase).ToArray();
        var text = new StringBuilder();
        switch (options.Style)
        {
            case "briefing":
                text.Append(thread is null || phrases.Contains(thread)
                    ? $"In short: {KeyPhrases.JoinList(phrases)}. "
                    : $"In short: {KeyPhrases.JoinList(phrases)}, held together by {thread}. ");
                break;
            case "newsletter":
                text.Append(thread is null || phrases.Contains(thread)
                    ? $"The issue in one line: {KeyPhrases.JoinList(phrases)}. "
                    : $"The issue in one line: {thread}, seen through {KeyPhrases.JoinList(phrases)}. ");
                break;
            default:
                // The thesis restated through what each section claims, in its own quoted words.
                // A section headed by a noun phrase (no clause of it stood alone) is named by that phrase.
                // One sentence per point, each quoting and citing its own passage, so each is checked against it.
                var claims = sections.Where(s => s.Quotes.Count > 0).ToArray();
                if (claims.Length >= 2 && claims.Any(s => s.Claim is not null))
                {
                    text.Append("Taken together, the sections come down to these points. ");
                    for (var i = 0; i < claims.Length; i++)
                    {
                        var lead = i == 0 ? "First" : i == claims.Length - 1 ? "Last" : "Next";
                        text.Append(claims[i].Claim is { } claim
                            ? $"{lead}, “{Claims.Inline(Claims.Restated(claim, claims[i].ClaimQuote!.Text), string.Join(' ', sections.SelectMany(s => s.Quotes).Select(q => q.Text)))}” [{claims[i].ClaimQuote!.Number}]. "
                            : $"{lead}, a section turns to {claims[i].Heading.ToLowerInvariant()}. ");
                    }
                }
                else
                    text.Append(phrases.Length switch
                    {
                        0 => "Taken together, the passages keep to one subject. ",
                        1 => $"Taken together, the passages stay with {phrases[0]}. ",
                        _ => $"Taken together, the passages move from {phrases[0]} to {phrases[^1]}. ",
                    });
                if (thread is not null && !phrases.Contains(thread))
                    text.Append($"Passages in more than one section return to {thread}. ");
                break;
        }
        var titles = advice.Select(a => $"{Lower(a.Title)} [{a.Number}]").ToArray();
        text.Append(advice.Count switch
        {
            0 => "None of the passages tells the reader what to do, so this draft offers no advice of its own.",
            1 => $"The highlights offer only one thing to do, {titles[0]}, so the advice stops there rather than add more.",
            2 => $"The highlights offer only two things to do, {KeyPhrases.JoinList(titles)}, so the advice stops there rather than add a third.",
            _ when options.Style is "briefing" or "newsletter" => $"What they ask of the reader comes down to {Count(advice.Count)} things: {KeyPhrases.JoinList(titles)}.",
            // No count here: the grounding check reads "three" as a number the cited passages must state.
            // The items are cited where they are given; here they are only named, as the writer's summary.
            _ => $"The highlights and your notes also say what to do: {KeyPhrases.JoinList(advice.Select(a => Lower(a.Title.Trim('“', '”'))).ToArray())}.",
        });
        if (languageNotice is not null) text.Append("\n\n").Append(languageNotice);
        return text.ToString();
    }

    // ---------- helpers ----------

    private static string AdviceShort(IReadOnlyList<AdvicePlan> advice) => advice.Count switch
    {
        0 => "no advice, because none of the passages prescribes anything",
        1 => "the one thing the highlights ask you to do",
        2 => "the two things the highlights ask you to do",
        _ => $"{Count(advice.Count)} things to do",
    };

    private string Names(IReadOnlyList<Highlight> sources)
    {
        var names = sources.Select(sourceName).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return names.Length switch
        {
            0 => "your reading",
            // Every source by name up to five: "and one other source" reads as coy when that source is quoted below.
            <= 5 => KeyPhrases.JoinList(names),
            _ => $"{string.Join(", ", names.Take(3))} and {Count(names.Length - 3)} others",
        };
    }

    /// <summary>The quotation as the reader highlighted it, in quotation marks, then its citation.</summary>
    public static string Quoted(QuotePlan quote) => $"“{quote.Text}” [{quote.Number}]";

    private static string Count(int n) => n switch
    {
        1 => "one", 2 => "two", 3 => "three", 4 => "four", 5 => "five", 6 => "six", _ => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>"topic folders" takes "are"; "habit" and "focus" take "is".</summary>
    private static bool IsPlural(string phrase)
    {
        var last = phrase.Split(' ')[^1];
        return last.Length > 3 && last.EndsWith('s') && !last.EndsWith("ss", StringComparison.Ordinal) && !last.EndsWith("us", StringComparison.Ordinal) && !last.EndsWith("is", StringComparison.Ordinal);
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A title continuing a sentence starts lower-case, unless it opens with an acronym or "I".</summary>
    private static string Lower(string title)
    {
        if (title.Length < 2) return title;
        var firstWord = title.Split(' ')[0];
        if (firstWord == "I" || firstWord.Length > 1 && firstWord.All(c => !char.IsLetter(c) || char.IsUpper(c))) return title;
        return char.ToLowerInvariant(title[0]) + title[1..];
    }
}
