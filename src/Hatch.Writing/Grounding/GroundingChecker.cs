using Hatch.Domain.Articles;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Hatch.Writing.Grounding;

/// <summary>A sentence's score and what went into it, for the report and for measuring the check.</summary>
/// <param name="Meaning">Cosine of the sentence to the closest cited highlight, or sentence of one, or note sentence.</param>
/// <param name="Overlap">Share of the sentence's content words found in the cited highlights, their notes and sources.</param>
/// <param name="NewNumbers">Numbers the sentence states that no cited highlight mentions.</param>
/// <param name="Reversed">The sentence negates or turns around (more/less, helps/harms) the passage it is closest to.</param>
public sealed record ScoredSentence(ArticleSentence Sentence, double Score, double Meaning, double Overlap, IReadOnlyList<string> NewNumbers, bool Reversed);

/// <summary>
/// Scores every sentence of an article against the highlights it cites: closeness of meaning (sentence embeddings)
/// blended with word overlap, cut down when the sentence states a number the highlights never mention or says the
/// opposite of the passage it is closest to. A sentence with no citation of its own is held to its paragraph's,
/// and one that only joins and restates that material (every content word comes from it) counts as supported.
/// </summary>
public sealed class GroundingChecker(IEmbeddingGenerator<string, Embedding<float>> embeddings, IOptions<GroundingOptions> options)
{
    /// <summary>Meaning weighs more than words: a good paraphrase shares few words, an invention can share many.</summary>
    public const double MeaningWeight = 0.6;

    /// <summary>A number the cited highlights never state is the commonest invention; it halves the score.</summary>
    public const double NewNumberFactor = 0.5;

    /// <summary>Saying the opposite of the closest passage keeps meaning and words close, so it costs as much as a new number.</summary>
    public const double ReversalFactor = 0.5;

    /// <summary>How close in meaning a sentence must be to its nearest passage before it can be said to reverse it.</summary>
    public const double ReversalNeedsMeaning = 0.6;

    /// <summary>
    /// What a sentence without citations scores when every word of its claim comes from its paragraph's highlights:
    /// supported, yet low enough that a new number or a reversal still takes it under the threshold.
    /// </summary>
    public const double RestatementScore = 0.9;

    public double Threshold => options.Value.Threshold;

    /// <summary>
    /// False with word vectors (the <c>None</c> provider): they only repeat the word overlap the check already counts,
    /// and the threshold was measured with a model of meaning, so the pipeline leaves such drafts unchecked.
    /// </summary>
    public bool CanCheck => !LexicalEmbeddingGenerator.IsLexical(embeddings);

    public async Task<GroundingReport> CheckAsync(Article article, IReadOnlyList<NumberedHighlight> highlights, CancellationToken cancellationToken = default)
    {
        // The article's own headings and advice titles are words a connective sentence may use without citing
        // ("From deep sleep, the reading turns to spaced practice"): they name its parts, each checked where it is argued;
        // so are the sources' titles and authors ("Ellison and Wren reach it from two sides").
        var scored = await ScoreAsync(ArticleSentences.Of(article, highlights.Select(h => h.Number).ToArray()), highlights, cancellationToken, Structure(article, highlights));
        return Report(scored, Threshold);
    }

    private static HashSet<string> Structure(Article article, IReadOnlyList<NumberedHighlight> highlights) =>
        ClaimWords.ContentStems(string.Join(". ", article.Sections.Select(x => x.Heading).Concat(article.Advice.Select(a => a.Title))
                .Concat(highlights.SelectMany(h => new[] { h.Highlight.Source.Title, h.Highlight.Source.Author ?? "" }))))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The check after an edit, without a model: the parts whose prose or citations changed (compared by position,
    /// so a part added, removed or moved counts as changed) are scored again, and the flags of the parts left alone
    /// are kept as they were. Cheaper than <see cref="CheckAsync"/> for the usual edit of one section, and the same
    /// report for the parts it scores.
    /// </summary>
    public async Task<GroundingReport> RecheckAsync(
        Article before, Article after, GroundingReport previous, IReadOnlyList<NumberedHighlight> highlights, CancellationToken cancellationToken = default)
    {
        var touched = TouchedParts(before, after);
        var sentences = ArticleSentences.Of(after, highlights.Select(h => h.Number).ToArray());
        var scored = touched.Count == 0
            ? []
            : await ScoreAsync(sentences.Where(s => touched.Contains(s.Part)).ToArray(), highlights, cancellationToken, Structure(after, highlights));
        var position = new Dictionary<(string, string), int>();
        for (var i = 0; i < sentences.Count; i++) position.TryAdd((sentences[i].Part, sentences[i].Sentence), i);
        var unsupported = previous.Unsupported
            .Where(u => !touched.Contains(u.Part) && position.ContainsKey((u.Part, u.Sentence)))
            .Concat(Report(scored, Threshold).Unsupported)
            .OrderBy(u => position.GetValueOrDefault((u.Part, u.Sentence), int.MaxValue))
            .ToArray();
        return new GroundingReport(sentences.Count, sentences.Count - unsupported.Length, unsupported);
    }

    /// <summary>"overview", "sections[i]", "advice[i]", "conclusion" where the prose or the citation list differs.</summary>
    public static IReadOnlySet<string> TouchedParts(Article before, Article after)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        if (before.Overview != after.Overview) touched.Add("overview");
        if (before.Conclusion != after.Conclusion) touched.Add("conclusion");
        for (var i = 0; i < Math.Max(before.Sections.Count, after.Sections.Count); i++)
            if (i >= before.Sections.Count || i >= after.Sections.Count || before.Sections[i].Body != after.Sections[i].Body
                || !before.Sections[i].Citations.SequenceEqual(after.Sections[i].Citations))
                touched.Add($"sections[{i}]");
        for (var i = 0; i < Math.Max(before.Advice.Count, after.Advice.Count); i++)
            if (i >= before.Advice.Count || i >= after.Advice.Count || before.Advice[i].Detail != after.Advice[i].Detail
                || !before.Advice[i].Citations.SequenceEqual(after.Advice[i].Citations))
                touched.Add($"advice[{i}]");
        return touched;
    }

    public static GroundingReport Report(IReadOnlyList<ScoredSentence> scored, double threshold)
    {
        var unsupported = scored
            .Where(s => s.Score < threshold)
            .Select(s => new UnsupportedSentence(s.Sentence.Part, s.Sentence.Sentence, s.Sentence.Citations, Math.Round(s.Score, 3)))
            .ToArray();
        return new GroundingReport(scored.Count, scored.Count - unsupported.Length, unsupported);
    }

    /// <param name="structure">Stems a sentence that cites nothing may use freely: the article's headings and advice titles, and every source's title and author.</param>
    public async Task<IReadOnlyList<ScoredSentence>> ScoreAsync(
        IReadOnlyList<ArticleSentence> sentences, IReadOnlyList<NumberedHighlight> highlights, CancellationToken cancellationToken = default,
        IReadOnlySet<string>? structure = null)
    {
        if (sentences.Count == 0) return [];
        var byNumber = highlights.GroupBy(h => h.Number).ToDictionary(g => g.Key, g => Evidence.Of(g.First()));

        // Every text embedded once, in one call: the sentences and each cited highlight's passages.
        var texts = new List<string>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int IndexOf(string text)
        {
            if (!indexOf.TryGetValue(text, out var index))
            {
                index = texts.Count;
                indexOf[text] = index;
                texts.Add(text);
            }
            return index;
        }
        var plain = sentences.Select(s => ArticleSentences.WithoutMarkers(s.Sentence)).ToArray();
        foreach (var text in plain) IndexOf(text);
        var cited = sentences.SelectMany(s => s.Citations).Distinct().Where(byNumber.ContainsKey).ToArray();
        foreach (var number in cited)
            foreach (var unit in byNumber[number].Units) IndexOf(unit);
        var vectors = await embeddings.EmbedAsync(texts, cancellationToken);

        var results = new ScoredSentence[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            var sentence = sentences[i];
            var evidence = sentence.Citations.Where(byNumber.ContainsKey).Select(n => byNumber[n]).ToArray();
            results[i] = Score(sentence, plain[i], vectors[indexOf[plain[i]]], evidence, unit => vectors[indexOf[unit]], structure);
        }
        return results;
    }

    private static ScoredSentence Score(
        ArticleSentence sentence, string text, float[] vector, IReadOnlyList<Evidence> evidence, Func<string, float[]> vectorOf, IReadOnlySet<string>? structure)
    {
        if (evidence.Count == 0)
            return new ScoredSentence(sentence, 0, 0, 0, [], false);

        var words = ClaimWords.ContentStems(text);
        // Only words about the reading ("None of these highlights prescribes a course of action"): no claim to check.
        if (words.Count == 0 && !sentence.CitesItself)
            return new ScoredSentence(sentence, 1.0, 0, 1.0, [], false);

        var meaning = 0.0;
        var closest = "";
        foreach (var unit in evidence.SelectMany(e => e.Units))
        {
            var cosine = VectorMath.Cosine(vector, vectorOf(unit));
            if (cosine > meaning) (meaning, closest) = (cosine, unit);
        }
        meaning = Math.Clamp(meaning, 0, 1);

        var known = evidence.SelectMany(e => e.Stems).ToHashSet(StringComparer.Ordinal);
        if (!sentence.CitesItself && structure is not null) known.UnionWith(structure);
        var found = words.Count(w => ClaimWords.IsKnown(w, known));
        var overlap = words.Count == 0 ? 1.0 : found / (double)words.Count;

        var stated = evidence.SelectMany(e => e.Numbers).ToHashSet(StringComparer.Ordinal);
        var newNumbers = ClaimWords.Numbers(text).Where(n => !stated.Contains(n)).Distinct().ToArray();
        // Turning a passage around only means something when the sentence is about what that passage says.
        // A sentence that cites nothing only joins what is cited elsewhere, and one that quotes the passage repeats it.
        // Quoting any of its evidence is repeating it too: the reader's note that doubts a passage ("doubt this"),
        // quoted as theirs, says the opposite of the passage and is still exactly what the reader wrote.
        var quotesItsEvidence = evidence.SelectMany(e => e.Units).Any(unit => Quotes(text, unit));
        var reversed = sentence.CitesItself && meaning >= ReversalNeedsMeaning
            && !quotesItsEvidence && ClaimWords.Reverses(text, closest);

        var score = MeaningWeight * meaning + (1 - MeaningWeight) * overlap;
        // A connective sentence (no citation of its own) that says nothing its paragraph's highlights do not.
        if (!sentence.CitesItself && found == words.Count) score = Math.Max(score, RestatementScore);
        // A quotation of what it cites, framed only by words the evidence holds ("Your margin note: “doubt this” [11]"):
        // a short quote in a frame is far from it by meaning, but it is the cited material itself.
        if (sentence.CitesItself && quotesItsEvidence && found == words.Count) score = Math.Max(score, RestatementScore);
        if (newNumbers.Length > 0) score *= NewNumberFactor;
        if (reversed) score *= ReversalFactor;
        return new ScoredSentence(sentence, Math.Round(score, 4), Math.Round(meaning, 4), Math.Round(overlap, 4), newNumbers, reversed);
    }

    private static bool Quotes(string sentence, string passage) =>
        passage.Length > 0 && Normalize(sentence).Contains(Normalize(passage).TrimEnd('.'), StringComparison.Ordinal);

    private static string Normalize(string text) =>
        text.Replace('“', '"').Replace('”', '"').Replace('’', '\'').Replace('‘', '\'').ToLowerInvariant();

    /// <summary>What one highlight offers as support: its passage whole and by sentence, its note's sentences, its words and numbers.</summary>
    private sealed record Evidence(IReadOnlyList<string> Units, IReadOnlySet<string> Stems, IReadOnlySet<string> Numbers)
    {
        public static Evidence Of(NumberedHighlight numbered)
        {
            var highlight = numbered.Highlight;
            var units = new List<string>();
            if (!string.IsNullOrWhiteSpace(highlight.Text)) units.Add(highlight.Text.Trim());
            foreach (var sentence in SentenceSplitter.Split(highlight.Text))
                if (!units.Contains(sentence, StringComparer.Ordinal)) units.Add(sentence);
            // The reader's note is the reader's own material: the extractive writer turns it into advice.
            foreach (var sentence in SentenceSplitter.Split(highlight.Note))
                if (!units.Contains(sentence, StringComparer.Ordinal)) units.Add(sentence);
            var all = string.Join(' ', highlight.Text, highlight.Note, highlight.Source.Title, highlight.Source.Author);
            return new Evidence(units, ClaimWords.ContentStems(all, includeMeta: true).ToHashSet(StringComparer.Ordinal), ClaimWords.Numbers(all).ToHashSet(StringComparer.Ordinal));
        }
    }
}
