using Hatch.Writing.Text;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Rendering;

namespace Hatch.Writing.Tests.Hatching;

public sealed class ExtractiveArticleWriterTests
{
    private readonly ExtractiveArticleWriter _writer = new(FixedTime.Default);

    private async Task<Article> Write(IReadOnlyList<Highlight> highlights) =>
        (await _writer.WriteAsync(ArticleRequest.From(highlights))).Article;

    private static Task<DraftDocument> Hatch(IReadOnlyList<Highlight> highlights, int maxHighlights = SelectionOptions.DefaultMaxHighlights)
    {
        var pipeline = new ArticlePipeline(new ExtractiveArticleWriter(FixedTime.Default), new HighlightSelector(), FixedTime.Default);
        var options = new HatchOptions { Selection = new SelectionOptions { MaxHighlights = maxHighlights } };
        return pipeline.HatchAsync(highlights, options);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(500)]
    public async Task TheArticlePassesTheValidatorAndEveryCitationIsAnInput(int count)
    {
        var highlights = SampleHighlights.Generated(count);
        var article = await Write(highlights);

        Assert.Empty(ArticleValidator.Validate(article, count, _writer.RulesFor(count)));
        Assert.InRange(article.Sections.Count, count >= ExtractiveArticleWriter.FewestForTwoSections ? 2 : 1, Math.Min(5, count));
        Assert.InRange(article.Advice.Count, 0, 3);
        var inline = ArticleValidator.InlineCitations(article.Overview)
            .Concat(article.Sections.SelectMany(s => ArticleValidator.InlineCitations(s.Body)));
        Assert.All(article.AllCitations().Concat(inline), c => Assert.InRange(c, 1, count));
        Assert.All(article.Sections, s => Assert.Equal(s.Citations.Order(), ArticleValidator.InlineCitations(s.Body).Distinct().Order()));
    }

    [Fact]
    public async Task ASingleHighlightMakesOneSection()
    {
        var article = await Write([HighlightBuilder.Make("Sleep consolidates memory. You should protect the last two hours of the night.")]);

        var section = Assert.Single(article.Sections);
        Assert.Equal([1], section.Citations);
        Assert.Empty(ArticleValidator.Validate(article, 1, _writer.RulesFor(1)));
    }

    [Fact]
    public void TheExtractiveWriterIsHeldToRelaxedCounts()
    {
        Assert.Equal(new ArticleRules(1, 6, 0, 3) { MayQuoteHighlightLinks = true }, _writer.RulesFor(1));
        Assert.Equal(new ArticleRules(1, 6, 0, 3) { MayQuoteHighlightLinks = true }, _writer.RulesFor(6));
        Assert.Equal(new ArticleRules(1, 6, 0, 3) { MayQuoteHighlightLinks = true }, _writer.RulesFor(40));
    }

    [Fact]
    public async Task TheSameHighlightsGiveTheSameMarkdown()
    {
        var highlights = SampleHighlights.Generated(60);

        var first = DraftRenderer.Markdown(await Hatch(highlights));
        var second = DraftRenderer.Markdown(await Hatch(SampleHighlights.Generated(60)));

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task ShuffledInputGivesTheSameArticleWithRenumberedCitations()
    {
        var highlights = SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).Concat(SampleHighlights.Generated(20)).ToArray();
        var shuffled = highlights.Reverse().ToArray();
        (shuffled[3], shuffled[17]) = (shuffled[17], shuffled[3]);

        var original = Canonical(await Write(highlights), highlights);
        var reordered = Canonical(await Write(shuffled), shuffled);

        Assert.Equal(original, reordered);
    }

    [Fact]
    public async Task TwoDistinctTopicsLandInSeparateSections()
    {
        var highlights = SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray();
        var sleep = Enumerable.Range(1, 6).ToHashSet();

        var article = await Write(highlights);

        Assert.True(article.Sections.Count >= 2);
        Assert.All(article.Sections, s =>
            Assert.True(s.Citations.All(sleep.Contains) || s.Citations.All(c => !sleep.Contains(c)),
                $"section \"{s.Heading}\" mixes topics: {string.Join(", ", s.Citations)}"));
        Assert.Contains(article.Sections, s => s.Citations.All(sleep.Contains));
        Assert.Contains(article.Sections, s => s.Citations.All(c => !sleep.Contains(c)));
    }

    [Fact]
    public async Task SectionHeadingsComeFromTheThemesWords()
    {
        var article = await Write(SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray());

        Assert.Contains(article.Sections, s => s.Heading.Contains("Sleep", StringComparison.Ordinal));
        Assert.Contains(article.Sections, s => s.Heading.Contains("Budget", StringComparison.Ordinal) || s.Heading.Contains("Money", StringComparison.Ordinal));
        Assert.All(article.Sections, s => Assert.True(char.IsUpper(s.Heading[0])));
    }

    [Fact]
    public async Task HeadingsNameEachTopicByItsNounPhrase()
    {
        var article = await Write(TwoTopicHighlights.Make());

        Assert.Contains(article.Sections, s => s.Heading.Contains("Deliberate Practice", StringComparison.Ordinal));
        Assert.Contains(article.Sections, s => s.Heading.Contains("Attention Residue", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    public async Task NoHeadingContainsAnAdviceCueOrAnAdverb(int generated)
    {
        var highlights = generated == 0 ? TwoTopicHighlights.Make() : SampleHighlights.Generated(generated);
        var cues = new[] { "Avoid", "Try", "Later", "Should", "Must", "Never", "Always", "Make", "Keep", "Get", "Use", "Thing", "Way" };

        var article = await Write(highlights);

        // A noun-phrase heading names a thing; a heading that states a clause ("Avoid Using Your Phone as an Alarm
        // Clock") may hold any word, but only as the section's own passage has it.
        Assert.All(article.Sections, s =>
        {
            var words = s.Heading.Split(' ');
            if (words.Length > 4 || s.Body.Contains(s.Heading, StringComparison.OrdinalIgnoreCase))
                Assert.Contains(Flat(s.Heading), Flat(s.Body));
            else
            {
                Assert.DoesNotContain(words, cues.Contains);
                Assert.DoesNotContain(words, w => w.Length > 4 && w.EndsWith("ly", StringComparison.Ordinal));
            }
        });
    }

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text.ToLowerInvariant().Replace('’', '\''), @"[^\p{L}\p{N}']+", " ").Trim();

    [Theory]
    [InlineData(12)]
    [InlineData(40)]
    [InlineData(120)]
    public async Task HeadingsAcrossSectionsAreDistinctAndShareNoWord(int count)
    {
        var article = await Write(SampleHighlights.Generated(count).Concat(TwoTopicHighlights.Make()).ToArray());

        var headings = article.Sections.Select(s => s.Heading).ToArray();
        Assert.Equal(headings.Length, headings.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // Headings are clauses now, so they may share a word ("the"), but no two say mostly the same thing.
        var content = headings.Select(h => Tokenizer.Stems(h).ToHashSet()).ToArray();
        for (var i = 0; i < content.Length; i++)
            for (var j = i + 1; j < content.Length; j++)
                Assert.True(content[i].Intersect(content[j]).Count() * 2 <= Math.Min(content[i].Count, content[j].Count),
                    $"\"{headings[i]}\" and \"{headings[j]}\" share most of their words");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(40)]
    [InlineData(300)]
    public async Task TheTitleIsShortNamesALeadingThemeAndIsNoSourcesTitle(int generated)
    {
        var highlights = generated == 0 ? TwoTopicHighlights.Make() : SampleHighlights.Generated(generated);

        var article = await Write(highlights);

        Assert.InRange(article.Title.Length, 1, ArticleTitles.MaxLength);
        Assert.DoesNotContain(highlights, h => string.Equals(h.Source.Title, article.Title, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Threads Across Your Highlights", article.Title);
        // The title states a clause the reader highlighted (after the thread's name, when there is one), or names the first section.
        var stated = article.Title.Contains(": ") ? article.Title[(article.Title.IndexOf(": ", StringComparison.Ordinal) + 2)..] : article.Title;
        Assert.True(highlights.Any(h => h.Text.Contains(stated, StringComparison.OrdinalIgnoreCase))
            || article.Title.Contains(article.Sections[0].Heading.Split(" and ")[0], StringComparison.Ordinal), $"title \"{article.Title}\"");
    }

    [Fact]
    public async Task AdviceIsOnlyTakenFromPrescriptiveSentencesAndNotes()
    {
        var highlights = SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray();

        var article = await Write(highlights);

        Assert.Equal(3, article.Advice.Count);
        Assert.All(article.Advice, a =>
        {
            var cited = highlights[Assert.Single(a.Citations) - 1];
            // The writer's link to the section the item follows from is its own; a plan from the reader's note is quoted
            // as theirs, with the passage it is about (“Buy blackout curtains …” (your note), on “…”).
            var detail = ExtractiveCorpusTests.LeadsHere().Replace(a.Detail, "");
            detail = System.Text.RegularExpressions.Regex.Replace(detail, "” \\(your note\\), on “.*$", "").TrimStart('“');
            // "You should keep …" is given as the command "Keep …": the words are the reader's, but for the first letter's case.
            Assert.True(cited.Text.Contains(detail[1..], StringComparison.Ordinal) || (cited.Note ?? "").Contains(detail[1..], StringComparison.Ordinal),
                $"advice \"{a.Detail}\" is not in highlight {a.Citations[0]}");
            Assert.True(Prescriptive.IsPrescriptive(detail));
            Assert.StartsWith(a.Title, a.Detail, StringComparison.Ordinal);
            Assert.InRange(a.Title.Split(' ').Length, 1, Prescriptive.MaxWholeTitleWords);
        });
    }

    [Fact]
    public async Task HighlightsThatPrescribeNothingGetNoAdvice()
    {
        var article = await Write(
        [
            HighlightBuilder.Make("The octopus has three hearts and blue blood."),
            HighlightBuilder.Make("Octopus arms contain most of the animal's neurons."),
            HighlightBuilder.Make("The Roman road network spanned eighty thousand kilometres."),
        ]);

        Assert.Empty(article.Advice);
        Assert.Contains("no advice", article.Conclusion);
    }

    [Fact]
    public async Task TheTitleIsNotASourceTitle()
    {
        var highlights = SampleHighlights.Sleep;

        var article = await Write(highlights);

        Assert.DoesNotContain(highlights, h => string.Equals(h.Source.Title, article.Title, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Sleep", article.Title);
    }

    [Fact]
    public async Task TheDraftSaysItWasWrittenOfflineFromTheHighlights()
    {
        var draft = await Hatch(SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray());
        var markdown = DraftRenderer.Markdown(draft);

        Assert.Equal("Extractive", draft.Provenance.Writer);
        Assert.Null(draft.Provenance.Model);
        Assert.Equal(1, draft.Provenance.Attempts);
        Assert.Contains(DraftRenderer.Disclosure(draft)!, markdown);
    }

    [Fact]
    public async Task TheConclusionRestatesTheThreadThroughTheHeadingsAndNamesTheAdvice()
    {
        var article = await Write(SampleHighlights.Sleep.Concat(SampleHighlights.Budgeting).ToArray());

        Assert.All(article.Sections, s => Assert.Contains(s.Heading, article.Conclusion, StringComparison.OrdinalIgnoreCase));
        // Each advice item is named; it is cited where it is given, above.
        Assert.All(article.Advice, a => Assert.Contains(a.Title[1..], article.Conclusion));
    }

    [Fact]
    public async Task BracketedNumbersInsideAHighlightAreNotMistakenForCitations()
    {
        var highlights = new[]
        {
            HighlightBuilder.Make("Spaced repetition beats cramming for long-term memory [12]."),
            HighlightBuilder.Make("Memory fades along a forgetting curve unless it is reviewed [3, 4]."),
        };

        var article = await Write(highlights);

        Assert.Empty(ArticleValidator.Validate(article, 2, _writer.RulesFor(2)));
        Assert.DoesNotContain("[12]", article.Overview + string.Concat(article.Sections.Select(s => s.Body)));
    }

    [Fact]
    public async Task AWriterGivenThousandsReadsOnlyTheMostCentralAndSaysSo()
    {
        var written = await _writer.WriteAsync(ArticleRequest.From(SampleHighlights.Generated(2_000)));

        Assert.Empty(ArticleValidator.Validate(written.Article, 2_000, _writer.RulesFor(2_000)));
        Assert.Contains("were not read by the extractive writer", written.Provenance.LeftOutReason);
    }

    [Fact]
    public async Task ThePipelinePicksTheMostCentralOfTenThousandAndReportsTheRest()
    {
        var highlights = SampleHighlights.Generated(10_000);
        var distinct = highlights.DistinctBy(h => h.ContentHash).Count();

        var draft = await Hatch(highlights);

        Assert.Equal(SelectionOptions.DefaultMaxHighlights, draft.Highlights.Count);
        Assert.Equal(distinct, draft.Provenance.HighlightsConsidered);
        Assert.Equal(draft.Article.AllCitations().Count, draft.Provenance.HighlightsUsed);
        Assert.Equal(distinct - draft.Provenance.HighlightsUsed, draft.Provenance.HighlightsLeftOut);
        Assert.Contains($"{distinct - SelectionOptions.DefaultMaxHighlights} of {distinct} highlights were left out", DraftRenderer.Markdown(draft));
        Assert.Empty(ArticleValidator.Validate(draft.Article, draft.Highlights.Count, new ExtractiveArticleWriter(FixedTime.Default).RulesFor(draft.Highlights.Count)));
    }

    /// <summary>The article with each citation number replaced by the text it points at, so two numberings compare.</summary>
    private static string Canonical(Article article, IReadOnlyList<Highlight> numbered)
    {
        string Key(int n) => numbered[n - 1].ContentHash[..8];
        string Text(string s) => Regex.Replace(s, @"\[(\d+(?:, \d+)*)\]",
            m => "[" + string.Join(", ", m.Groups[1].Value.Split(", ").Select(int.Parse).Select(Key).Order(StringComparer.Ordinal)) + "]");
        string List(IReadOnlyList<int> c) => string.Join(",", c.Select(Key).Order(StringComparer.Ordinal));
        return string.Join("\n",
            [article.Title, Text(article.Overview),
             .. article.Sections.Select(s => $"{s.Heading}|{Text(s.Body)}|{List(s.Citations)}"),
             .. article.Advice.Select(a => $"{a.Title}|{a.Detail}|{List(a.Citations)}"),
             Text(article.Conclusion)]);
    }
}
