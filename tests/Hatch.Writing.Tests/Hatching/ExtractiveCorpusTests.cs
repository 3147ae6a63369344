using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Importing;
using Hatch.Writing.Rendering;
using Hatch.Writing.Text;

namespace Hatch.Writing.Tests.Hatching;

/// <summary>
/// The extractive writer against libraries written for issue 15 (Data/Corpus): several sources each, in different
/// registers, with notes (intentions and pointers), bare imperatives, near-duplicates, dangling openers and hostile
/// markup. Each check is one the issue states; they read the article as a reader would, not the writer's internals.
/// </summary>
public sealed partial class ExtractiveCorpusTests
{
    public static TheoryData<string> Libraries => new() { "money.csv", "history.csv", "kitchen.csv", "engineering.csv", "few-instructions.csv", "gardening.csv", "running.csv", "meetings.csv", "teaching.csv" };

    public static TheoryData<string, string> LibrariesAndStyles
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var library in new[] { "money.csv", "history.csv", "kitchen.csv", "engineering.csv", "few-instructions.csv", "gardening.csv", "running.csv", "meetings.csv" })
                foreach (var style in ArticleOptions.Styles)
                    data.Add(library, style);
            return data;
        }
    }

    // Words that open a sentence by pointing at something before it.
    private static readonly string[] Dangling =
    [
        "this", "that", "these", "those", "they", "he", "she", "it", "its", "but", "and", "or", "so", "however", "therefore",
        "thus", "also", "then", "otherwise", "instead", "such", "which", "hence", "if not", "if so",
    ];

    private static IReadOnlyList<Highlight> Load(string name) =>
        HighlightImporters.Default.ImportFile(Path.Combine(AppContext.BaseDirectory, "Data", "Corpus", name), "auto").Highlights;

    private static Task<DraftDocument> Hatch(string name, string style = "essay", string language = "en", string length = "medium")
    {
        var pipeline = new ArticlePipeline(new ExtractiveArticleWriter(FixedTime.Default), new HighlightSelector(), FixedTime.Default);
        var options = new HatchOptions { Article = new ArticleOptions { Style = style, Language = language, Length = length } };
        return pipeline.HatchAsync(Load(name), options);
    }

    /// <summary>Overview, sections and advice: the body, where each highlight may be quoted once.</summary>
    private static IEnumerable<string> BodyTexts(Article article) =>
        [article.Overview, .. article.Sections.Select(s => s.Body), .. article.Advice.Select(a => a.Detail)];

    [Theory]
    [MemberData(nameof(LibrariesAndStyles))]
    public async Task NoHighlightIsQuotedTwiceAndNoSentenceRepeats(string library, string style)
    {
        var draft = await Hatch(library, style);

        // The reader's note quoted after its passage carries the passage's number again: that is not a second quotation.
        var cited = BodyTexts(draft.Article).Select(t => ReadersNote().Replace(t, "")).SelectMany(Citations.Inline)
            .Concat(draft.Article.Advice.SelectMany(a => a.Citations)).ToArray();
        Assert.Equal(cited.Length, cited.Distinct().Count());
        var sentences = BodyTexts(draft.Article)
            .SelectMany(t => SentenceSplitter.Split(CitationMarker().Replace(t, "")))
            .Select(s => Regex.Replace(s.ToLowerInvariant(), @"[^\p{L}\p{N}]+", " ").Trim())
            .Where(s => s.Split(' ').Length > 3)
            .ToArray();
        var repeated = sentences.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(repeated.Length == 0, "repeated: " + string.Join(" | ", repeated));
    }

    [Theory]
    [MemberData(nameof(LibrariesAndStyles))]
    public async Task NoBodySentenceOpensWithADanglingReference(string library, string style)
    {
        var draft = await Hatch(library, style);

        foreach (var text in BodyTexts(draft.Article).Append(draft.Article.Conclusion))
        {
            // The reader's own note quoted after its passage ("This is me.") points at that passage, which is right there.
            var plain = CitationMarker().Replace(ReadersNote().Replace(text, ""), "").Replace("- ", "");
            // A quotation is the reader's passage kept whole: its first sentence must stand alone.
            foreach (Match quote in Quotation().Matches(plain))
                AssertStandsAlone(SentenceSplitter.Split(quote.Groups[1].Value).FirstOrDefault() ?? "", text);
            foreach (var sentence in SentenceSplitter.Split(Quotation().Replace(plain, "QUOTE")))
                AssertStandsAlone(sentence, text);
        }
        foreach (var advice in draft.Article.Advice)
            AssertStandsAlone(advice.Detail, advice.Detail);
    }

    private static void AssertStandsAlone(string sentence, string context)
    {
        var lower = sentence.TrimStart('"', '“', ' ', ':').ToLowerInvariant();
        var dangling = Dangling.FirstOrDefault(d => lower.StartsWith(d + " ", StringComparison.Ordinal) || lower.StartsWith(d + ",", StringComparison.Ordinal));
        var emptySubject = Regex.IsMatch(lower, @"^it (is|was|takes) ") && !Regex.IsMatch(lower, @"^it (is|was) (why|because)");
        Assert.True(dangling is null || emptySubject, $"\"{sentence}\" opens with \"{dangling}\" in:\n{context}");
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task EverySectionRestsOnAtLeastTwoHighlights(string library)
    {
        var draft = await Hatch(library);

        Assert.InRange(draft.Article.Sections.Count, 1, 6);
        Assert.All(draft.Article.Sections, s => Assert.True(s.Citations.Count >= 2, $"section \"{s.Heading}\" cites {s.Citations.Count}"));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task HeadingsAndTitleCarryNoStopWordsMarkupOrTemplate(string library)
    {
        var draft = await Hatch(library);

        // A heading is a claim or a phrase the section itself quotes (its words, in order), of one to ten words,
        // neither opening on a word that points back nor ending on a function word.
        foreach (var section in draft.Article.Sections)
        {
            var heading = section.Heading;
            var words = heading.Split(' ');
            Assert.InRange(words.Length, 1, Claims.MaxWords);
            Assert.DoesNotContain(words[^1].ToLowerInvariant(), WeakEndings);
            Assert.False(Passages.StartsWithDanglingReference(heading), $"heading \"{heading}\" points back");
            // A plain "&" ("Tests & reviews") is the reader's word; an entity or a tag is markup.
            Assert.DoesNotMatch(@"[<>]|&(#?\w+);|script|alert|href|javascript", heading.ToLowerInvariant());
            Assert.Contains(Flat(heading), Flat(section.Body));
        }
        var headings = draft.Article.Sections.Select(s => s.Heading.ToLowerInvariant()).ToArray();
        Assert.Equal(headings.Length, headings.Distinct().Count());
        Assert.DoesNotContain("Two Threads in Your Reading", draft.Article.Title);
        Assert.DoesNotContain("What Your Highlights Connect", draft.Article.Title);
        Assert.False(Regex.IsMatch(draft.Article.Title.ToLowerInvariant(), @"\bscript\b|alert\(|<|>"), $"title \"{draft.Article.Title}\" carries markup");
    }

    // Words a heading cannot end on: it would stop mid-phrase ("Browning Cannot Start Until the").
    private static readonly string[] WeakEndings =
    [
        "a", "an", "the", "of", "to", "and", "or", "at", "in", "on", "for", "with", "by", "from", "your", "our", "their", "that",
        "is", "be", "as", "but", "if", "than", "into", "my", "this", "every", "each", "not", "when", "which", "was", "are", "has",
        "have", "can", "will", "would", "should", "must", "do", "does",
    ];

    /// <summary>The writer's sentence tying an advice item to the section it follows from.</summary>
    internal static Regex LeadsHere() => new(@" The section “[^”]*” leads here\.");

    private static string Flat(string text) => Regex.Replace(text.ToLowerInvariant().Replace('’', '\''), @"[^\p{L}\p{N}']+", " ").Trim();

    [Theory]
    [InlineData("money.csv")]
    [InlineData("history.csv")]
    [InlineData("kitchen.csv")]
    [InlineData("engineering.csv")]
    public async Task ThreeAdviceItemsWhereThreeExistEachTitledWholeFromItsOwnWords(string library)
    {
        var draft = await Hatch(library);

        Assert.Equal(3, draft.Article.Advice.Count);
        Assert.All(draft.Article.Advice, a =>
        {
            Assert.StartsWith(a.Title, a.Detail, StringComparison.Ordinal);
            Assert.InRange(a.Title.Split(' ').Length, 2, Prescriptive.MaxWholeTitleWords);
            // The title ends where a phrase ends: at punctuation, or before a phrase that qualifies the command.
            var rest = a.Detail[a.Title.Length..];
            Assert.True(rest.Length == 0 || Regex.IsMatch(rest, @"^(\.|,|;|:|!|”| —| –| -| (with|before|after|until|when|while|so|rather|instead|by|at|every|each|during|without|because|unless|even|if|and) )"),
                $"title \"{a.Title}\" is cut mid-phrase from \"{a.Detail}\"");
            // The detail is the reader's words; "You should keep …" may be given as the command "Keep …".
            // The reader's own plan for it may follow, quoted as their note ("Your note: “Try this on Sunday.”").
            var highlight = draft.Highlights.Single(h => h.Number == a.Citations[0]).Highlight;
            // The writer's link to the section the item follows from is its own sentence, not the reader's words.
            var parts = LeadsHere().Replace(a.Detail, "").Split(" Your note: “");
            var said = Regex.Replace(parts[0], "” \\(your note\\), on “.*$", "").Trim('“').Replace("” (your note)", "")[1..];
            Assert.True(highlight.Text.Contains(said, StringComparison.Ordinal) || (highlight.Note ?? "").Contains(said, StringComparison.Ordinal),
                $"advice \"{a.Detail}\" is not the highlight's or its note's words");
            if (parts.Length > 1)
                Assert.Contains(parts[1].TrimEnd('”'), highlight.Note ?? "");
        });
        Assert.DoesNotContain(draft.Article.Advice, a => a.Detail.Contains("quarterly review doc", StringComparison.Ordinal));
        // The conclusion names each item (cited where it is given).
        Assert.All(draft.Article.Advice, a => Assert.Contains(a.Title.Trim('“', '”')[1..], draft.Article.Conclusion));
    }

    [Fact]
    public async Task ABareImperativeWithAnIntentionNoteBecomesAdvice()
    {
        var draft = await Hatch("money.csv");

        Assert.Contains(draft.Article.Advice, a => a.Detail.StartsWith("Pay yourself first", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FewerInstructionsGiveFewerItemsAndTheConclusionSaysSo()
    {
        var draft = await Hatch("few-instructions.csv");

        Assert.InRange(draft.Article.Advice.Count, 0, 2);
        Assert.Contains("only", draft.Article.Conclusion);
    }

    [Theory]
    [MemberData(nameof(LibrariesAndStyles))]
    public async Task SourcesAreNumberedOneToNInOrderOfFirstCitation(string library, string style)
    {
        var draft = await Hatch(library, style);
        var markdown = DraftRenderer.Markdown(draft);

        var listed = SourceLine().Matches(markdown).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(Enumerable.Range(1, listed.Length), listed);
        var body = markdown[..markdown.IndexOf("## Sources", StringComparison.Ordinal)];
        var firstSeen = CitationMarker().Matches(body).SelectMany(m => m.Value.Trim('[', ']').Split(", ")).Select(int.Parse).Distinct().ToArray();
        Assert.Equal(listed, firstSeen);
        Assert.Equal(listed.Length, draft.Provenance.HighlightsUsed);
        Assert.Equal(draft.Provenance.HighlightsConsidered - listed.Length, draft.Provenance.HighlightsLeftOut);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task StylesGiveDifferentArticles(string library)
    {
        var essay = DraftRenderer.Markdown(await Hatch(library, "essay"));
        var briefing = DraftRenderer.Markdown(await Hatch(library, "briefing"));
        var newsletter = DraftRenderer.Markdown(await Hatch(library, "newsletter"));

        Assert.Equal(3, new[] { essay, briefing, newsletter }.Distinct().Count());
        Assert.Contains("Bottom line:", briefing);
        Assert.Matches(@"\n- .+\[\d+\]", briefing[..briefing.IndexOf("## Sources", StringComparison.Ordinal)]);
        Assert.Contains("Why it matters:", newsletter);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task HostileMarkupNeverReachesTheArticleAndAmpersandsStayPlain(string library)
    {
        var markdown = DraftRenderer.Markdown(await Hatch(library));
        var sourcesAt = markdown.IndexOf("## Sources", StringComparison.Ordinal);
        var body = markdown[..sourcesAt];

        // The body quotes the reader's words without the pasted markup; the Sources list shows the highlight as
        // stored, with every tag escaped.
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("owned", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert(", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(?<!\\)<script", markdown[sourcesAt..]);
        Assert.DoesNotContain("&amp;", markdown);
    }

    [Fact]
    public async Task AnotherLanguageIsRefusedOnceAndTheArticleStaysInTheHighlightsLanguage()
    {
        var draft = await Hatch("kitchen.csv", language: "fr");
        var markdown = DraftRenderer.Markdown(draft);

        Assert.Single(Regex.Matches(markdown, "cannot translate"));
        Assert.Contains("in English", draft.Article.Conclusion);
        Assert.Null(ExtractiveArticleWriter.LanguageNotice("en", draft.Highlights.Select(h => h.Highlight.Text)));
    }

    [Fact]
    public async Task TheOverviewStatesTheThreadBeforeAnyQuotation()
    {
        var draft = await Hatch("history.csv", length: "long");

        var firstParagraph = draft.Article.Overview.Split("\n\n")[0];
        Assert.DoesNotContain("“", firstParagraph);
        Assert.Empty(Citations.Inline(firstParagraph));
    }

    // ---------- issue 15, third pass: what blind readers still found ----------

    [Theory]
    [InlineData("running.csv", "Add no more than ten percent", "Marchetti")]
    [InlineData("gardening.csv", "Turn the heap every week", "Ashdown")]
    public async Task AnInstructionTheReadersNoteDisputesIsNeitherAdviceNorTitleAndTheConclusionSaysTheyDisagree(string library, string disputed, string named)
    {
        var draft = await Hatch(library);

        Assert.DoesNotContain(draft.Article.Advice, a => a.Detail.StartsWith(disputed, StringComparison.Ordinal));
        Assert.DoesNotContain(Flat(disputed), Flat(draft.Article.Title));
        // Both sides stay in the body, next to the note that sets them against each other.
        Assert.Contains(disputed, string.Join(" ", draft.Article.Sections.Select(s => s.Body)));
        // Said as a disagreement: either the thesis the article is built on, or one of the others the notes find.
        Assert.Matches("Not all of them agree| disagree", draft.Article.Conclusion);
        Assert.Contains(named, draft.Article.Conclusion);
    }

    [Fact]
    public async Task TheReadersNotesAreQuotedAsTheirsBesideTheirPassagesAndTheirPlansBesideTheAdvice()
    {
        var draft = await Hatch("running.csv");
        var body = string.Join(" ", draft.Article.Sections.Select(s => s.Body));

        // A comment on a quoted passage follows it, as the reader's, under the passage's number.
        Assert.Matches(@"“Most recreational runners do the opposite[^”]*” \[(\d+)\] (Your note beside it|You noted|Your margin note): “This is me\. Every run at 5:10\.” \[\1\]", body);
        // A plan in a note on an advice item is quoted with the item, and the conclusion says the reader has one.
        Assert.Contains(draft.Article.Advice, a => a.Detail.EndsWith("Your note: “Start a log in the notebook, three lines a day.”", StringComparison.Ordinal));
        Assert.Contains("Your own note on one of them comes with it, in your words.", draft.Article.Conclusion);
        // The Sources list shows the note, so the words quoted under [n] can be found there.
        Assert.Contains("your note: \"This is me. Every run at 5:10.\"", DraftRenderer.Markdown(draft));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task NoTemplateJoinsAndNoNumberedConclusion(string library)
    {
        var draft = await Hatch(library);
        var text = string.Join("\n", BodyTexts(draft.Article).Append(draft.Article.Conclusion));

        foreach (var filler in new[] { "From there the reading moves on", "opens a separate line", "follow closely from the last ones",
                     "Of all the passages", "closest in meaning to the whole reading", " adds: ", "Elsewhere in the same source", "each section below takes up" })
            Assert.DoesNotContain(filler, text);
        Assert.DoesNotMatch(@"\b(First|Next|Last), “", draft.Article.Conclusion);
    }

    [Theory]
    [InlineData("gardening.csv")]
    [InlineData("meetings.csv")]
    [InlineData("running.csv")]
    public async Task AnAsideNeverHeadsASectionNorMakesOneOfItsOwn(string library)
    {
        var draft = await Hatch(library);
        var asides = draft.Highlights.Select(h => h.Highlight).Where(h => Passages.IsNarrative(h.Text)).ToArray();
        Assert.NotEmpty(asides);

        foreach (var section in draft.Article.Sections)
        {
            Assert.DoesNotContain(asides, a => Flat(a.Text).Contains(Flat(section.Heading), StringComparison.Ordinal));
            var quoted = section.Citations.Select(n => draft.Highlights.Single(h => h.Number == n).Highlight).ToArray();
            Assert.False(quoted.All(asides.Contains), $"section \"{section.Heading}\" is only asides");
        }
        Assert.DoesNotContain(asides, a => Flat(a.Text).Contains(Flat(draft.Article.Title), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("meetings.csv", "attached slides")]
    [InlineData("gardening.csv", "Weeds are")]
    [InlineData("running.csv", "race calendar")]
    public async Task ASentenceMarkupWasCutFromIsNotQuoted(string library, string words)
    {
        var draft = await Hatch(library);

        Assert.DoesNotContain(words, string.Join("\n", BodyTexts(draft.Article).Append(draft.Article.Conclusion)));
    }

    [Fact]
    public void ANoteThatFilesTheHighlightElsewhereIsAPointerAndTryThisIsAnIntention()
    {
        Assert.True(Prescriptive.IsPointerNote("Use this for the quarterly review doc."));
        Assert.False(Prescriptive.IsIntentionNote("Use this for the quarterly review doc."));
        Assert.True(Prescriptive.IsIntentionNote("try this"));
    }

    [GeneratedRegex(@"\[\d+(?:, \d+)*\]")]
    private static partial Regex CitationMarker();

    [GeneratedRegex(@" (Your note[^:“]*|Your margin note|You noted): “[^”]*” \[\d+\]")]
    private static partial Regex ReadersNote();

    [GeneratedRegex(@"“([^”]*)”")]
    private static partial Regex Quotation();

    [GeneratedRegex(@"^- \[(\d+)\] ", RegexOptions.Multiline)]
    private static partial Regex SourceLine();

    // ---------- issue 15, fourth pass: a thesis, claims only from central passages, advice from the reader's plans ----------

    [Fact]
    public async Task TheOverviewStatesTheDisagreementTheNotesFindAndTheConclusionAnswersItWithTheNotesLean()
    {
        var draft = await Hatch("teaching.csv");

        // "Contradicts Finch. Finch's is one classroom; this is n=312.": the article is built on that disagreement, and
        // the note's side (the study) is said, not left open.
        var overview = draft.Article.Overview.Split("\n\n")[0];
        Assert.Contains("turns on one disagreement", overview);
        Assert.Contains("Brenner and Sato", overview);
        Assert.Contains("Finch", overview);
        Assert.Contains("your own note sides with Brenner and Sato", overview);
        Assert.Contains("already chosen Brenner and Sato", draft.Article.Conclusion);
        Assert.DoesNotContain("leave that open", draft.Article.Conclusion);
        // The title names the disagreement, not a clause lifted from one passage.
        Assert.Contains("Brenner and Sato", draft.Article.Title);
        Assert.Contains("Finch", draft.Article.Title);
    }

    [Fact]
    public async Task TamperedAsideAndCaveatPassagesNeverTitleOrHeadAndACutIsMarkedWithAnEllipsis()
    {
        var draft = await Hatch("teaching.csv");
        var claims = string.Join(" | ", draft.Article.Sections.Select(s => s.Heading).Append(draft.Article.Title));

        Assert.DoesNotContain("Ambush", claims);
        Assert.DoesNotContain("Warn the Class", claims);
        Assert.DoesNotContain("Attendance Records", claims);
        Assert.DoesNotContain("Exam Season", claims);
        var all = string.Join(" ", BodyTexts(draft.Article));
        // Quoted or given as advice, the two sentences either side of the removed <script> are never run together.
        Assert.DoesNotContain("cold call. Nobody", all);
        if (all.Contains("Nobody likes an ambush", StringComparison.Ordinal)) Assert.Contains("cold call. … Nobody likes an ambush", all);
        var sources = DraftRenderer.Markdown(draft);
        Assert.DoesNotContain("script", sources.Split("## Sources")[1], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\<", sources.Split("## Sources")[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReadersPlanForAPassageIsAdviceAndAWorkTitleIsNotCalledAPerson()
    {
        var draft = await Hatch("teaching.csv");

        Assert.Contains(draft.Article.Advice, a => a.Detail.StartsWith("“Bring this to the department meeting on Thursday” (your note), on “Exit tickets", StringComparison.Ordinal));
        Assert.Contains("Bring this to the department meeting on Thursday", draft.Article.Conclusion);
        var body = string.Join(" ", BodyTexts(draft.Article));
        Assert.DoesNotContain("Cold calling is kind writes", body);
        Assert.DoesNotContain("by Cold calling", body);
        Assert.DoesNotContain("Cold calling is kind and", body);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task ALittleFurtherOnFollowsTheLocatorsAndNoSentenceIsFiller(string library)
    {
        var draft = await Hatch(library);
        var byNumber = draft.Highlights.ToDictionary(h => h.Number, h => h.Highlight);

        foreach (var section in draft.Article.Sections)
        {
            Assert.DoesNotMatch(@"\bcomes? up again here\.", section.Body);
            foreach (Match m in Regex.Matches(section.Body, @"\[(\d+)\][^\[]*?A little further on[^\[]*\[(\d+)\]"))
                Assert.True(ExtractiveProse.Comes(byNumber[int.Parse(m.Groups[1].Value)], byNumber[int.Parse(m.Groups[2].Value)]) > 0,
                    $"\"A little further on\" introduces [{m.Groups[2].Value}], which comes before [{m.Groups[1].Value}]");
        }
    }
}
