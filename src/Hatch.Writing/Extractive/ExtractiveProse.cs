using System.Text;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using System.Text.RegularExpressions;
using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// The extractive writer's own sentences: the ones that state the thread, join quotations and name their sources.
/// They are generated from the article's structure (which sources a section quotes, how close one section is to the
/// next, how much advice there is) and never claim more than that structure shows. Quotations are always in
/// quotation marks with their citation, so nothing the writer says can pass for the reader's words.
/// </summary>
internal sealed partial class ExtractiveProse(ArticleOptions options, Func<Highlight, string> sourceName)
{
    /// <param name="SameSubject">True when the passage is close in meaning (by the embeddings) to an earlier one of the section from another source.</param>
    /// <param name="Link">The reader's own note on this passage tying it to another quoted here ("Same idea as Brine &amp; Reason p.36"), or null.</param>
    /// <param name="LinkToAdvice">The name of the source the note points to when that passage is one of the advice items, or null.</param>
    /// <param name="Note">The reader's own note on this passage (not a linking one), quoted after it as theirs, or null.</param>
    /// <param name="Disputes">True when <paramref name="Link"/> sets the two passages against each other ("Contradicts …").</param>
    public sealed record QuotePlan(string Text, int Number, string SourceKey, Highlight Highlight, bool SameSubject = false, string? Link = null, string? LinkToAdvice = null,
        string? Note = null, bool Disputes = false);

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

    public enum ThesisKind { Tension, Agreement, Convergence }

    public enum Leaning { None, Side, Hedged, Both, ByCase }

    /// <summary>
    /// The claim the article is built around: two passages from different sources that the reader's note sets against
    /// each other (<see cref="ThesisKind.Tension"/>), that a note joins (<see cref="ThesisKind.Agreement"/>), or that
    /// say nearly the same (<see cref="ThesisKind.Convergence"/>), with what they meet on and where the note leans.
    /// </summary>
    public sealed record ThesisPlan(ThesisKind Kind, Highlight A, int NumberA, Highlight B, int NumberB, string? Topic, string Heading,
        Leaning Lean = Leaning.None, Highlight? Side = null);

    /// <param name="HasPlan">True when the reader's note on the item says how they mean to act on it (quoted with the item).</param>
    public sealed record AdvicePlan(string Title, int Number, bool HasPlan = false);

    private static readonly string[] FirstLeads = ["puts it this way", "writes", "observes"];
    // A section quoting one source twice names it once; repeating a long title in every lead reads as a list.
    private static readonly string[] SameSourceLeads = ["{0} also writes: ", "Elsewhere in the same source: ", "{0} goes on elsewhere: "];

    // The verb forms the leads use, for a source written by several people ("Rosa Castellanos and Daniel Fenwick write").
    private static readonly Dictionary<string, string> PluralVerbs = new(StringComparer.Ordinal)
    {
        ["puts"] = "put", ["writes"] = "write", ["observes"] = "observe", ["goes"] = "go", ["takes"] = "take", ["adds"] = "add",
        ["gives"] = "give", ["tells"] = "tell", ["comes"] = "come",
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

    public string Overview(string? thread, IReadOnlyList<SectionPlan> sections, IReadOnlyList<AdvicePlan> advice, IReadOnlyList<Highlight> sources, QuotePlan? quote,
        ThesisPlan? thesis = null)
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
            // The thread when one runs through the sections, else what the sections are about, in their own phrases;
            // then where the article goes. Nothing here is quoted, so the reader sees the writer's frame first.
            // A section's key phrase can be a stray pair of words ("remembering feels"): without a thread the overview
            // counts the themes rather than naming them, and the headings name them.
            if (thesis is not null)
            {
                // One claim of the reading's own before any quotation: where two sources part or meet, and where the
                // reader's note stands; the sections then follow it.
                text.Append(ThesisStatement(names, thesis));
                // Headings are not listed here: in quotation marks they would pass for quotations, and the overview
                // quotes nothing.
                text.Append(sections.Count switch
                {
                    0 => $"The article ends with {AdviceShort(advice)}.",
                    1 => $"The section below follows it, and the article ends with {AdviceShort(advice)}.",
                    _ => $"The {Count(sections.Count)} sections below follow it, and the article ends with {AdviceShort(advice)} that come out of them.",
                });
            }
            else
            {
                text.Append(thread is not null
                    ? $"What you kept from {names} keeps coming back to {thread}. "
                    : $"What you kept from {names} comes in {(sections.Count == 1 ? "one theme" : Count(sections.Count) + " themes")}. ");
                text.Append(sections.Count switch
                {
                    0 => $"The article gathers it and ends with {AdviceShort(advice)}.",
                    1 => $"The article stays with it, and ends with {AdviceShort(advice)}.",
                    _ => $"Below, they are taken one at a time, and the article ends with {AdviceShort(advice)}.",
                });
            }
            if (quote is not null)
                text.Append("\n\n").Append("Start with ").Append(Mention(quote.Highlight)).Append(": ").Append(Quoted(quote)).Append(NoteAfter(quote, 0));
            return text.ToString();
        }
    }

    /// <summary>The thesis in the writer's words, citing both passages; the quotations themselves come in their section.</summary>
    private string ThesisStatement(string names, ThesisPlan thesis)
    {
        var a = Mention(thesis.A);
        var b = Mention(thesis.B);
        var on = thesis.Topic is { } topic ? $"on {topic}" : $"under “{thesis.Heading}”";
        // No citation numbers here: the two passages are quoted, once, in their section; the overview only names them.
        var cites = "";
        switch (thesis.Kind)
        {
            case ThesisKind.Tension:
                var lean = thesis.Lean switch
                {
                    Leaning.Side => $"your own note sides with {ShortName(sourceName(thesis.Side!))}",
                    Leaning.Hedged => $"your own note leans towards {ShortName(sourceName(thesis.Side!))}, with a hedge",
                    Leaning.Both => $"your own note suspects both hold",
                    Leaning.ByCase => $"your own note gives each of them its case",
                    _ => $"your own note sets them against each other without choosing",
                };
                // "Castellanos and Fenwick and Lindqvist" hides where one side ends: sides are named apart then.
                var sides = a.Contains(" and ") || b.Contains(" and ") ? $"{a} on one side and {b} on the other part ways" : $"{a} and {b} part ways";
                return $"What you kept from {names} turns on one disagreement: {sides} {on}{cites}, and {lean}. ";
            case ThesisKind.Agreement:
                return $"What you kept from {names} turns on one meeting point: {a} and {b} reach the same place {on} from two sides{cites}, as your own note says. ";
            default:
                var about = thesis.Topic is { } t ? $" about {t}" : "";
                return $"What you kept from {names} keeps arriving at one point from different sides: {a} and {b} come close to saying the same thing{about}. ";
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
        if (plan.Previous is not null && Transition(plan) is { Length: > 0 } transition) opening.Add(transition);
        // Who writes about the section's key phrase is said only when the heading names it too: "both write about
        // pan" under "Salt and Acid Push Against Each Other" is true and reads as a non sequitur.
        if ((plan.Claim is null || plan.Claim.Contains(plan.Phrase.Split(' ')[^1], StringComparison.OrdinalIgnoreCase))
            && Agreement(plan) is { Length: > 0 } agreement) opening.Add(agreement);
        var paragraphs = new List<string>();
        for (var i = 0; i < plan.Quotes.Count; i++)
        {
            var quote = plan.Quotes[i];
            var previous = i > 0 ? plan.Quotes[i - 1] : null;
            var sentence = Lead(plan, i) + Quoted(quote);
            // The reader's own note relating this passage to another source's: the synthesis the reader already made.
            if (quote.Link is not null)
                sentence += quote.LinkToAdvice is { } adviser
                    ? $" Your note ties it to {adviser}, whose advice comes below: “{quote.Link.Trim()}” [{quote.Number}]"
                    : quote.Disputes
                        ? $" Your note sets it against the next passage: “{quote.Link.Trim()}” [{quote.Number}]"
                        : $" Your note makes the connection: “{quote.Link.Trim()}” [{quote.Number}]";
            else sentence += NoteAfter(quote, i + plan.Heading.Length);
            // A new paragraph where the source changes after two quotations, so a paragraph holds one exchange.
            if (i == 0) paragraphs.Add(string.Join(' ', opening.Append(sentence)));
            else if (previous!.Link is null && i % 2 == 1) paragraphs.Add(sentence);
            else paragraphs[^1] += " " + sentence;
        }
        return string.Join("\n\n", paragraphs);
    }

    /// <summary>
    /// How a quotation is introduced: by what the passage visibly is (a figure, an instruction, a story told in the
    /// first person) and by who wrote it, never by what it means. Every lead is true of the passage it introduces.
    /// </summary>
    private string Lead(SectionPlan plan, int i)
    {
        var quote = plan.Quotes[i];
        var previous = i > 0 ? plan.Quotes[i - 1] : null;
        var name = Capitalize(Mention(quote.Highlight));
        var turn = i + plan.Heading.Length;
        // The passage a note points to follows the note: it is introduced as that.
        if (previous is { Link: not null, LinkToAdvice: null })
            return previous.Disputes ? (IsTitle(quote.Highlight) ? $"The other side, from {name}: " : $"{Possessive(name)} side of it: ")
                : IsTitle(quote.Highlight) ? $"The passage in {name} that the note has in mind: " : $"The passage by {name} that the note has in mind: ";
        if (previous is not null && previous.SourceKey == quote.SourceKey)
            // "A little further on" only when the locators say so; a passage from earlier in the source is not "further on".
            return Comes(previous.Highlight, quote.Highlight) switch
            {
                > 0 => Pick(Turn("same"), $"A little further on, {name} {Agree("writes", quote.Highlight)}: ", $"Later in the same source: "),
                < 0 => Pick(Turn("same"), $"Earlier in the same source: ", $"{name} {Agree("writes", quote.Highlight)} earlier: "),
                _ => Pick(Turn("same"), $"{name} also {Agree("writes", quote.Highlight)}: ", $"In the same source: "),
            };
        if (HasFigure(quote.Text))
            return Pick(Turn("figure"), $"{name} {Agree("puts", quote.Highlight)} a number on it: ", $"{name} {Agree("gives", quote.Highlight)} a figure: ");
        if (Prescriptive.StartsAsCommand(SentenceSplitter.Split(quote.Text).FirstOrDefault() ?? quote.Text))
            return Pick(Turn("instruction"), IsTitle(quote.Highlight) ? $"The advice in {name} is direct: " : $"{Possessive(name)} advice is direct: ",
                $"{name} {Agree("puts", quote.Highlight)} it as an instruction: ", $"{name} {Agree("tells", quote.Highlight)} the reader: ");
        // "I should have stepped down earlier" looks back with regret; it is not a story told as it happened.
        if (FirstPersonStory().IsMatch(quote.Text) && !Regex.IsMatch(quote.Text, @"\b(should|would|could|might|must)(n't)? have\b", RegexOptions.IgnoreCase))
            return Pick(turn, $"{name} {Agree("writes", quote.Highlight)} from experience: ", $"{name} {Agree("tells", quote.Highlight)} it as it happened: ");
        if (quote.SameSubject && previous is not null)
            return Pick(turn, $"{name} {Agree("writes", quote.Highlight)} on the same subject: ", $"{name} {Agree("comes", quote.Highlight)} to the same subject: ");
        return Pick(Turn("plain"), $"{name} {Agree("writes", quote.Highlight)}: ", $"As {name} {Agree("puts", quote.Highlight)} it, ", $"{name} {Agree("observes", quote.Highlight)}: ");
    }

    /// <summary>
    /// Whether <paramref name="next"/> comes after (positive) or before (negative) <paramref name="previous"/> in their
    /// source, by page, typed location ("loc. 446", "order 3") or offset; zero when the locators do not say.
    /// </summary>
    internal static int Comes(Highlight previous, Highlight next) =>
        (Position(previous), Position(next)) is (double a, double b) ? b.CompareTo(a) : 0;

    private static double? Position(Highlight highlight)
    {
        var location = highlight.Location;
        if (location is null) return null;
        foreach (var text in new[] { location.Page, location.Location })
            if (text is not null && LeadingNumber().Match(text) is { Success: true } m
                && double.TryParse(m.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n))
                return n;
        return location.Offset;
    }

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex LeadingNumber();

    /// <summary>The reader's note on the passage, quoted as theirs after it, or nothing.</summary>
    private static string NoteAfter(QuotePlan quote, int turn) => quote.Note is not { } note ? "" :
        $" {Pick(turn, "Your note beside it: ", "You noted: ", "Your margin note: ")}“{note.Trim()}” [{quote.Number}]";

    /// <summary>How many times a kind of lead has been used, so consecutive leads of one kind differ.</summary>
    private int Turn(string kind)
    {
        var n = _turns.GetValueOrDefault(kind);
        _turns[kind] = n + 1;
        return n;
    }

    private readonly Dictionary<string, int> _turns = new(StringComparer.Ordinal);

    /// <summary>True when the source is known by its title (no author), which takes no possessive.</summary>
    private static bool IsTitle(Highlight highlight) => !ExtractiveComposer.NamedByPerson(highlight);

    private static string Pick(int turn, params string[] options) => options[Math.Abs(turn) % options.Length];

    private static string Possessive(string name) => name.EndsWith('s') ? name + "'" : name + "'s";

    /// <summary>A figure the passage states: a number other than a year.</summary>
    private static bool HasFigure(string text) => Figure().IsMatch(text);

    [GeneratedRegex(@"(?<![\p{L}\d])(?!(1[5-9]|20)\d\d\b)\d+([.,]\d+)?\s*(%|percent|per cent|times|×)?")]
    private static partial Regex Figure();

    [GeneratedRegex(@"^(I|We|My|Our)\b[^.]*\b(was|were|had|did|\w{3,}ed|ran|wrote|sat|went|took|made|learned|learnt|stopped|started)\b")]
    private static partial Regex FirstPersonStory();

    /// <summary>
    /// How a source is named in prose: in full the first time, then by surname, as an essay does ("Ines Marchetti",
    /// then "Marchetti"). A source known by its title is always called by it.
    /// </summary>
    private string Mention(Highlight highlight)
    {
        var full = sourceName(highlight);
        if (_mentioned.Add(full)) return full;
        if (IsTitle(highlight)) return full;
        var people = full.Split(new[] { " and ", ", " }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (people.Any(p => p.Split(' ').Length is < 2 or > 4 || !p.Split(' ').All(w => w.Length > 0 && char.IsUpper(w[0])))) return full;
        return _short[full] = KeyPhrases.JoinList(people.Select(p => p.Split(' ')[^1]).ToArray());
    }

    private readonly HashSet<string> _mentioned = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _short = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The surname form of a source name already given in full, as <see cref="Mention"/> made it; else the name.</summary>
    private string ShortName(string full) => _short.GetValueOrDefault(full, full);

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
    /// <remarks>
    /// Without a shared phrase the heading is the transition: "From there the reading moves on" only said that
    /// something else follows, which readers took for machinery.
    /// </remarks>
    // Readers called "Maintainers come up again here." filler: a shared word is no reason for a sentence, so the
    // heading is the transition.
    private static string Transition(SectionPlan plan) => "";

    /// <summary>Which sources meet in the section, counted exactly: said only when two or more of them use its phrase.</summary>
    private string Agreement(SectionPlan plan)
    {
        // A one-word phrase ("percent", "meeting") is a word both use, not a subject they share.
        if (plan.Phrase.Split(' ').Length < 2) return "";
        var names = (plan.PhraseSources ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Select(n => _mentioned.Contains(n) ? ShortName(n) : n).ToArray();
        return names.Length switch
        {
            < 2 => "",
            2 => $"{Capitalize(names[0])} and {names[1]} both write about {plan.Phrase}.",
            _ => $"{Capitalize(KeyPhrases.JoinList(names))} all write about {plan.Phrase}.",
        };
    }

    // ---------- conclusion ----------

    public string Conclusion(string? thread, IReadOnlyList<SectionPlan> sections, IReadOnlyList<AdvicePlan> advice, string? languageNotice,
        ThesisPlan? thesis = null)
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
                // The thesis restated through what each section claims, in its passages' own words, cited, as one
                // sentence a person would write rather than a numbered list. A section headed by a noun phrase (no
                // clause of it stood alone) is named by that phrase.
                if (thesis is not null)
                {
                    // The conclusion answers the thesis the overview set up, through the sections, instead of quoting
                    // the passages again.
                    text.Append(ThesisAnswer(sections, thesis));
                    foreach (var (q, next) in sections.SelectMany(s => s.Quotes.Select((q, i) => (q, next: i + 1 < s.Quotes.Count ? s.Quotes[i + 1] : null)))
                        .Where(x => x.q.Disputes && x.q.LinkToAdvice is null && x.next is not null && x.q.Number != thesis.NumberA))
                        text.Append($"Not all of them agree elsewhere either: your notes also set {ShortName(sourceName(q.Highlight))} against {ShortName(sourceName(next!.Highlight))} [{q.Number}]. ");
                    break;
                }
                var claims = sections.Where(s => s.Quotes.Count > 0 && s.Claim is not null).Take(3).ToArray();
                var all = string.Join(' ', sections.SelectMany(s => s.Quotes).Select(q => q.Text));
                var points = claims.Select(c => $"“{LowerFirst(Claims.Restated(c.Claim!, c.ClaimQuote!.Text), all)}” [{c.ClaimQuote!.Number}]").ToArray();
                var about = thread ?? (phrases.Length == 1 ? phrases[0] : null);
                text.Append(points.Length switch
                {
                    0 when about is not null => $"Read end to end, the passages stay with {about}. ",
                    0 => "Read end to end, the passages keep to the subjects above. ",
                    1 => $"Read end to end, the passages come down to this: {points[0]}. ",
                    _ => $"Read end to end, the passages{(about is null ? "" : $" on {about}")} come down to a few claims: {string.Join(", ", points[..^1])} and {points[^1]}. ",
                });
                // Where the reader's own notes set passages against each other, the conclusion says so: the tension is
                // theirs, quoted above, and the writer does not settle it.
                var disputes = sections.SelectMany(s => s.Quotes.Select((q, i) => (q, next: i + 1 < s.Quotes.Count ? s.Quotes[i + 1] : null)))
                    .Where(x => x.q.Disputes && x.q.LinkToAdvice is null && x.next is not null)
                    .Select(x => $"{ShortName(sourceName(x.q.Highlight))} and {ShortName(sourceName(x.next!.Highlight))}")
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                if (disputes.Length > 0)
                    // Only words about the reading and the sources' names: the grounding check holds every other word
                    // of an uncited sentence to the passages. Nor does it say the question is open: the note may settle it.
                    // One sentence per pair, so a list of names never runs together ("A and B and C and D").
                    text.Append($"Not all of them agree, and your notes point out where: {string.Join("; ", disputes)}. ");
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
            // A title in the reader's own words stays in quotation marks: it may point at its passage ("Bring this …").
            _ => $"What they ask of you is concrete enough to start on: {KeyPhrases.JoinList(advice.Select(a => a.Title.StartsWith('“') ? a.Title : Lower(a.Title)).ToArray())}.",
        });
        // The reader's own plans, quoted with the advice, are the strongest sign the article is theirs: said, not repeated.
        if (options.Style is not "briefing" and not "newsletter" && advice.Any(a => a.HasPlan))
            text.Append(advice.Count(a => a.HasPlan) == 1
                ? " Your own note on one of them comes with it, in your words."
                : " Your own notes on them come with them, in your words.");
        if (languageNotice is not null) text.Append("\n\n").Append(languageNotice);
        return text.ToString();
    }

    private string ThesisAnswer(IReadOnlyList<SectionPlan> sections, ThesisPlan thesis)
    {
        var a = ShortName(sourceName(thesis.A));
        var b = ShortName(sourceName(thesis.B));
        if (a.Contains(" and ") || b.Contains(" and ")) (a, b) = ($"{a} on one side", $"{b} on the other");
        var on = thesis.Topic is { } topic ? $"On {topic}" : $"Under “{thesis.Heading}”";
        var through = sections.Count > 1
            ? $"The sections took the reading through {KeyPhrases.JoinList(sections.Select(s => $"“{s.Heading}”").ToArray())}. "
            : "";
        // No citation here: the passages are cited where they are quoted, and an uncited sentence of the conclusion
        // is held to every highlight, so it may only use their words and words about the reading.
        var answer = thesis.Kind switch
        {
            ThesisKind.Tension => thesis.Lean switch
            {
                Leaning.Side => $"{on}, {a} and {b} disagree, and your own note has already chosen {ShortName(sourceName(thesis.Side!))}.",
                Leaning.Hedged => $"{on}, {a} and {b} disagree; your own note leans towards {ShortName(sourceName(thesis.Side!))}, with a hedge.",
                Leaning.Both => $"{on}, {a} and {b} disagree, and the answer your own note gives is that both may hold.",
                Leaning.ByCase => $"{on}, {a} and {b} disagree, and the answer your own note gives is each in its own case.",
                _ => $"{on}, {a} and {b} disagree, and your own note does not choose between them.",
            },
            ThesisKind.Agreement => $"{on}, {a} and {b} agree, as your own note says: two sources that reach one point are the firmest ground in what you kept.",
            _ => $"{on}, {a} and {b} say nearly the same: two sources that reach one point are the firmest ground in what you kept.",
        };
        return through + answer + " ";
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
        foreach (var source in sources) _mentioned.Add(sourceName(source));
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

    /// <summary>
    /// The passage's words continuing a sentence of the writer's: the first letter lower-cased unless the first word is
    /// "I", an acronym, or written with a capital inside the passages too (a name).
    /// </summary>
    private static string LowerFirst(string text, string context)
    {
        var t = text.Trim().TrimEnd('.', '!', ' ');
        if (t.Length < 2 || !char.IsUpper(t[0])) return t;
        var first = t.Split(' ')[0].Trim(',', ';', ':', '’', '\'');
        if (first == "I" || first.StartsWith("I'", StringComparison.Ordinal) || first.StartsWith("I’", StringComparison.Ordinal)
            || first.Length > 1 && first.Skip(1).Any(char.IsUpper)) return t;
        var asName = Regex.IsMatch(context, @"[\p{L},;] " + Regex.Escape(first) + @"\b");
        return asName ? t : char.ToLowerInvariant(t[0]) + t[1..];
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
