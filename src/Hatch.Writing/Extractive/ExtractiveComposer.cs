using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;

namespace Hatch.Writing.Extractive;

/// <summary>
/// One run of the extractive writer. It composes rather than lists: each highlight is quoted whole (or as a run of
/// sentences that stands alone) at most once, advice is set aside first, the rest is grouped by meaning into
/// sections of at least two highlights ordered so each leads to the next, headings and the title are noun phrases
/// chosen against the sections' meaning, and the writer's own short sentences (never presented as quotes) say
/// which sources meet where. Highlights are processed in a canonical order (by content hash), so the same set of
/// highlights gives the same article whatever order it arrives in.
/// </summary>
internal sealed partial class ExtractiveComposer
{
    /// <summary>Clustering and LexRank are quadratic; beyond this many highlights the least central are not read.</summary>
    public const int MaxHighlightsRead = 300;
    public const int MaxSentencesPerHighlight = 12;
    public const int MaxThemes = 5;
    public const int MaxAdvice = 3;

    /// <summary>
    /// The fewest highlights that make two sections of two; below it the extractive writer writes one section,
    /// because a section of one highlight is a quotation, not a section.
    /// </summary>
    public const int FewestForTwoSections = 7;

    private readonly CancellationToken _cancellationToken;
    private readonly ArticleOptions _options;
    private readonly List<Item> _items;
    private readonly string? _leftOut;
    private TfIdfModel _model = null!;
    private WordRoles _roles = null!;
    private bool _byMeaning;
    private HashSet<Item> _adviceItems = [];

    // Classes, not records: these are identities, and value equality would hash whole highlights.
    private sealed class Item(int index, int number, Highlight highlight)
    {
        public int Index { get; } = index;
        public int Number { get; } = number;
        public Highlight Highlight { get; } = highlight;
        public List<string> Sentences { get; } = [];
        public List<Token> Tokens { get; } = [];
        public string Quote { get; set; } = "";
        public SparseVector Lexical { get; set; }
        public float[] Meaning { get; set; } = [];
        public bool IsDuplicate { get; set; }
        public bool Used { get; set; }
        /// <summary>The passage of another source the reader's note on this one ties it to ("Same idea as Brine &amp; Reason p.36").</summary>
        public Item? LinkedTo { get; set; }
        /// <summary>The reader's note disputes this passage, or sets another against it: it neither titles the article nor becomes advice.</summary>
        public bool Contested { get; set; }
        /// <summary>The highlight held markup (a script, a link): hostile or tampered text never heads, titles or sums up the article.</summary>
        public bool Tampered { get; set; }
        /// <summary>Cosine of the passage to the whole reading's centre: how central it is to what the reader kept.</summary>
        public double Centrality { get; set; }
        /// <summary>A stray passage (far from the reading, or an aside) that may be quoted but never states the article's claim.</summary>
        public bool Outlier { get; set; }
        public string SourceKey => (Highlight.Source.Title ?? "").Trim().ToLowerInvariant();
        public bool Quotable => Quote.Length > 0 && !IsDuplicate;
    }

    private sealed class Theme(List<Item> members)
    {
        public List<Item> Members { get; } = members;
        public List<Item> Quoted { get; } = [];
        public float[] Centroid { get; set; } = [];
        public string Heading { get; set; } = "";
        public string Phrase { get; set; } = "";
        public IReadOnlyList<string> HeadingStems { get; set; } = [];
        /// <summary>The clause of a quoted passage that heads the section, as the passage has it, and that passage.</summary>
        public string? Claim { get; set; }
        public Item? ClaimItem { get; set; }
    }

    private sealed record Advice(Item Item, string Title, string Detail, int Tier, double Score);

    private sealed record Candidate(string Text, string[] Stems, string Key);

    public ExtractiveComposer(ArticleRequest request, CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _options = request.Options;
        var usable = request.Highlights
            .Where(h => !string.IsNullOrWhiteSpace(h.Highlight.Text))
            .OrderBy(h => h.Highlight.ContentHash, StringComparer.Ordinal)
            .ThenBy(h => h.Highlight.Text, StringComparer.Ordinal)
            .ThenBy(h => h.Number)
            .ToArray();
        if (usable.Length == 0)
            throw new ArgumentException("The extractive writer needs at least one highlight with text.", nameof(request));

        if (usable.Length > MaxHighlightsRead)
        {
            // The pipeline's selector normally caps first; this keeps a direct caller with thousands safe.
            var ranked = CentralityRanker.Rank(usable.Select(h => h.Highlight.Text).ToArray());
            var kept = ranked.Take(MaxHighlightsRead).Order().Select(i => usable[i]).ToArray();
            _leftOut = $"{usable.Length - kept.Length} of {usable.Length} highlights were not read by the extractive writer: it reads at most {MaxHighlightsRead}, the most central kept";
            usable = kept;
        }
        _items = usable.Select((h, i) => new Item(i, h.Number, h.Highlight)).ToList();
    }

    /// <summary>The texts this run reads, in its canonical order: what to embed for <see cref="ComposeAsync"/>.</summary>
    public IReadOnlyList<string> TextsRead => _items.Select(i => i.Highlight.Text).ToArray();

    /// <summary>Content hashes parallel to <see cref="TextsRead"/>, to look up stored vectors instead of embedding again.</summary>
    public IReadOnlyList<string> HashesRead => _items.Select(i => i.Highlight.ContentHash).ToArray();

    /// <param name="embeddings">Unit vectors parallel to <see cref="TextsRead"/> to group by meaning; null groups by shared words.</param>
    /// <param name="embedPhrases">Embeds candidate headings in the same space as <paramref name="embeddings"/>; null or a null answer scores them by words.</param>
    public async Task<(Article Article, string? LeftOut)> ComposeAsync(
        IReadOnlyList<float[]>? embeddings,
        Func<IReadOnlyList<string>, CancellationToken, Task<float[][]?>>? embedPhrases = null)
    {
        Analyse(embeddings is not null && embeddings.Count == _items.Count ? embeddings : null);
        _cancellationToken.ThrowIfCancellationRequested();

        var groups = Group();
        var advice = ChooseAdvice(groups);
        _adviceItems = advice.Select(a => a.Item).ToHashSet();
        var themes = FormThemes(groups);
        _cancellationToken.ThrowIfCancellationRequested();
        LinkNotedPassages(themes);
        foreach (var theme in themes) QuoteMembers(theme);
        themes = OrderThemes(themes);
        var overviewQuote = OverviewQuote(themes);

        var candidates = themes.Select(HeadingCandidates).ToArray();
        var threadCandidates = ThreadCandidates(themes);
        var claimCandidates = themes.Select(t => t.Quoted.SelectMany(q => Claims.Of(q.Quote).Select(c => (Text: c, Item: q))).ToList()).ToArray();
        // The advice is the reader's too, and often what the reading comes to: its clauses may title the article.
        // The title states what the body argues: not an advice item the body never discusses, nor a passage the
        // reader's own note disputes.
        var titleCandidates = (overviewQuote is null ? [] : Claims.Of(overviewQuote.Quote).Select(c => (Text: c, Item: overviewQuote)))
            .Concat(claimCandidates.SelectMany(c => c))
            .Where(c => MayStateClaim(c.Item) && !Passages.IsNarrative(c.Item.Quote)).ToList();
        var phraseTexts = candidates.SelectMany(c => c).Concat(threadCandidates).Select(c => c.Text)
            .Concat(titleCandidates.Select(c => c.Text)).Distinct(StringComparer.Ordinal).ToArray();
        float[][]? phraseVectors = _byMeaning && embedPhrases is not null && phraseTexts.Length > 0
            ? await embedPhrases(phraseTexts, _cancellationToken).ConfigureAwait(false)
            : null;
        var vectorOf = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < phraseTexts.Length; i++)
            vectorOf[phraseTexts[i]] = phraseVectors is not null && phraseVectors.Length == phraseTexts.Length ? phraseVectors[i] : [];
        // Without phrase embeddings, headings are scored by words: centroids then come from the TF-IDF vectors.
        var phrasesByMeaning = phraseVectors is not null && phraseVectors.Length == phraseTexts.Length;
        NameThemes(themes, candidates, vectorOf, phrasesByMeaning);
        var thread = Thread(themes, threadCandidates, vectorOf, phrasesByMeaning);
        // A single word running through the sections ("train", "spring", "plant") is a word they share, not a thread a
        // reader would name; stated as one ("keeps coming back to spring") it misleads, so only a phrase is.
        if (thread is not null && !thread.Contains(' ')) thread = null;
        ClaimHeadings(themes, claimCandidates, vectorOf, phrasesByMeaning);
        var thesis = Thesis(themes);
        // The title states the thesis when two sources meet on it: a clause of one of those two passages.
        var thesisItems = thesis is null ? [] : _items.Where(i => i.Number == thesis.NumberA || i.Number == thesis.NumberB).ToArray();
        var titleClaim = (thesisItems.Length > 0 ? TitleClaim(themes, titleCandidates.Where(c => thesisItems.Contains(c.Item)).ToList(), overviewQuote, vectorOf, phrasesByMeaning) : null)
            ?? TitleClaim(themes, titleCandidates, overviewQuote, vectorOf, phrasesByMeaning);
        _cancellationToken.ThrowIfCancellationRequested();

        var prose = new ExtractiveProse(_options, SourceName);
        var sectionPlans = themes.Select((t, i) => new ExtractiveProse.SectionPlan(
            t.Heading, t.Phrase,
            QuotePlans(t),
            i == 0 ? null : themes[i - 1].Phrase,
            i == 0 ? 1 : VectorMath.Cosine(themes[i - 1].Centroid, t.Centroid),
            i + 1 < themes.Count ? themes[i + 1].Phrase : null,
            t.Claim,
            i == 0 ? null : SharedPhrase(themes[i - 1], t, vectorOf, phrasesByMeaning),
            PhraseSources(t))).ToArray();
        var advicePlans = advice.Select(a => new ExtractiveProse.AdvicePlan(a.Title, a.Item.Number,
            AdviceNote(a).Length > 0 && Prescriptive.IsIntentionNote(a.Item.Highlight.Note))).ToArray();
        var overviewPlan = overviewQuote is null ? null : new ExtractiveProse.QuotePlan(overviewQuote.Quote, overviewQuote.Number, overviewQuote.SourceKey, overviewQuote.Highlight,
            Note: QuotableNote(overviewQuote));
        var sources = themes.SelectMany(t => t.Quoted).Concat(overviewQuote is null ? [] : [overviewQuote]).Concat(advice.Select(a => a.Item))
            .Select(i => i.Highlight).ToArray();

        // The overview first: it names the sources in full, and the sections then call them by surname.
        var overview = prose.Overview(thread, sectionPlans, advicePlans, sources, overviewPlan, thesis);
        var sections = sectionPlans.Select(p => new ArticleSection(p.Heading, prose.Section(p), p.Quotes.Select(q => q.Number).Distinct().Order().ToArray())).ToArray();
        var followed = new HashSet<string>(StringComparer.Ordinal);
        var adviceItems = advice.Select(a => new AdviceItem(a.Title, a.Detail + FollowsFrom(a, themes, followed) + AdviceNote(a), [a.Item.Number])).ToArray();
        var conclusion = prose.Conclusion(thread, sectionPlans, advicePlans, LanguageNotice(), thesis);
        var title = ArticleTitles.Compose(thread, themes.Select(t => t.Heading).ToArray(), _items.Count == 1, titleClaim);
        // A disagreement the reader's note takes up is what the article is about: the title names it.
        if (thesis is { Kind: ExtractiveProse.ThesisKind.Tension, Topic: { } contested })
            title = ShortSourceName(thesis.A).Contains(" and ") || ShortSourceName(thesis.B).Contains(" and ")
                // "Castellanos and Fenwick and Lindqvist" hides where one side ends.
                ? $"{Claims.TitleCase(contested)}: {ShortSourceName(thesis.A)} Against {ShortSourceName(thesis.B)}"
                : $"{Claims.TitleCase(contested)}: Where {ShortSourceName(thesis.A)} and {ShortSourceName(thesis.B)} Part Ways";
        // Never hand back a source's own title as the article's.
        if (_items.Any(i => string.Equals(i.Highlight.Source.Title.Trim(), title, StringComparison.OrdinalIgnoreCase)))
            title = "Reading Notes: " + title;

        var article = new Article(title, overview, sections, adviceItems, conclusion, 0);
        return (article with { ReadingMinutes = ReadingTime.Minutes(article) }, _leftOut);
    }

    /// <summary>The note that the extractive writer cannot translate, or null when the languages agree.</summary>
    public string? LanguageNotice() =>
        ExtractiveArticleWriter.LanguageNotice(_options.Language, _items.Select(i => i.Highlight.Text));

    // ---------- analysis ----------

    private void Analyse(IReadOnlyList<float[]>? embeddings)
    {
        foreach (var item in _items)
        {
            // Markup pasted into a highlight is taken out before anything is quoted or named; the Sources list
            // still shows the highlight as stored, encoded by the renderer.
            item.Sentences.AddRange(SentenceSplitter.Split(Markup.Clean(item.Highlight.Text)).Take(MaxSentencesPerHighlight).Select(Clean).Where(s => s.Length > 0));
            // A sentence that markup was cut out of is no longer what the reader highlighted ("Please see the
            // attached slides", its link gone): it is not quoted, so no quotation silently differs from its highlight.
            if (Markup.Contains(item.Highlight.Text))
            {
                var asHighlighted = Clean(System.Net.WebUtility.HtmlDecode(item.Highlight.Text));
                for (var s = 0; s < item.Sentences.Count; s++)
                    if (!asHighlighted.Contains(item.Sentences[s], StringComparison.Ordinal)) item.Sentences[s] = AlteredSentence;
            }
            var cutBefore = new HashSet<int>();
            if (Markup.Contains(item.Highlight.Text))
            {
                item.Tampered = true;
                var asHighlighted = Clean(System.Net.WebUtility.HtmlDecode(item.Highlight.Text));
                // Where markup sat between two sentences the quotation joins them with an ellipsis, so it does not
                // pass for one run of the reader's text.
                var end = 0;
                for (var s = 0; s < item.Sentences.Count; s++)
                {
                    if (item.Sentences[s] == AlteredSentence) continue;
                    var at = asHighlighted.IndexOf(item.Sentences[s], end, StringComparison.Ordinal);
                    if (at < 0) continue;
                    if (s > 0 && asHighlighted[end..at].Trim().Length > 0) cutBefore.Add(s);
                    end = at + item.Sentences[s].Length;
                }
            }
            var (start, count) = Passages.QuotableSpan(item.Sentences);
            // A highlight whose opening sentence markup was cut from has lost what sets up the rest ("The finance team
            // clicked …" after a pasted phishing link): what remains is a fragment, so it is not quoted.
            if (item.Tampered && start > 0 && item.Sentences.Take(start).Contains(AlteredSentence)) count = 0;
            item.Quote = count == 0 ? "" : string.Join("", Enumerable.Range(start, count).Select(s => (s == start ? "" : cutBefore.Contains(s) ? " … " : " ") + item.Sentences[s]));
            // Headings and vectors see only prose: a <script> payload must not name a section.
            foreach (var sentence in item.Sentences.Where(Passages.IsProse))
                item.Tokens.AddRange(Tokenizer.Tokenize(sentence));
        }
        _roles = WordRoles.Measure(_items.Select(i => (IReadOnlyList<Token>)i.Tokens));
        _model = TfIdfModel.Fit(_items.Select(i => (IReadOnlyList<string>)i.Tokens.Where(t => t.IsContent).Select(t => t.Stem!).ToArray()).ToArray());
        foreach (var item in _items)
            item.Lexical = _model.Vectorize(item.Tokens.Where(t => t.IsContent).Select(t => t.Stem!).ToArray());

        _byMeaning = embeddings is not null;
        for (var i = 0; i < _items.Count; i++)
            _items[i].Meaning = embeddings is not null ? VectorMath.Normalize((float[])embeddings[i].Clone()) : Dense(_items[i].Lexical);
        MarkNearDuplicates();
        MarkContested();
        MarkCentrality();
    }

    /// <summary>
    /// How central each passage is to the whole reading, and which are strays: an aside the reader did not comment on,
    /// or a passage far below the others' closeness to the reading's centre (a phishing story in a negotiation
    /// library, a heatwave in a survey's methods). Strays and tampered highlights may be quoted, but never title the
    /// article, head a section, or stand for a section's claim.
    /// </summary>
    private void MarkCentrality()
    {
        var quotable = _items.Where(i => i.Quotable).ToArray();
        if (quotable.Length == 0) return;
        var centre = CentroidOf(quotable);
        foreach (var item in _items) item.Centrality = VectorMath.Cosine(item.Meaning, centre);
        var mean = quotable.Average(i => i.Centrality);
        var spread = Math.Sqrt(quotable.Average(i => (i.Centrality - mean) * (i.Centrality - mean)));
        foreach (var item in quotable)
            item.Outlier = Passages.IsNarrative(item.Quote) && !HasComment(item)
                || quotable.Length >= 6 && item.Centrality < mean - OutlierSpread * spread
                // "Limitations: sleep diaries were missing …": a passage the source itself labels as a caveat or an
                // aside qualifies the argument; it does not state it.
                || LabelledAside().IsMatch(item.Quote);
    }

    [GeneratedRegex(@"^(limitations?|caveats?|disclaimer|aside|footnote|correction|update|note|methods?|acknowledge?ments?)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex LabelledAside();

    /// <summary>How many standard deviations below the mean centrality a passage must sit to count as a stray.</summary>
    private const double OutlierSpread = 1.5;

    /// <summary>True when the passage may state a claim for the article: a title, a heading, the thesis.</summary>
    private static bool MayStateClaim(Item item) => !item.Tampered && !item.Outlier && !item.Contested;

    // A note that doubts its passage or sets it against another ("Contradicts Ashdown", "Disagrees with the survey",
    // "anecdote; this is n=214", "Only one season though").
    [GeneratedRegex(@"\b(contradicts?|disagrees?|opposite|unlike|in tension|at odds|doubt|doubtful|not convinced|not sure|skeptic\w*|sceptic\w*|anecdot\w*|n\s*=\s*\d+|only one|wrong|depends|it depends|overstat\w*|cherry|big if true)", RegexOptions.IgnoreCase)]
    private static partial Regex DisputingNote();

    /// <summary>
    /// Marks what the reader's notes dispute: the passage under a doubting note, and the passage of the source a note
    /// sets it against (by page when given, else that source's closest). An instruction the reader's own note argues
    /// with is not handed back as advice, nor made the article's title, while the body still quotes both sides.
    /// </summary>
    private void MarkContested()
    {
        foreach (var item in _items)
        {
            var note = item.Highlight.Note;
            if (string.IsNullOrWhiteSpace(note) || !DisputingNote().IsMatch(note)) continue;
            item.Contested = true;
            var named = _items.Where(p => p.Quote.Length > 0 && p.SourceKey != item.SourceKey && NamesSource(note, p.Highlight)).ToArray();
            if (named.Length == 0) continue;
            var page = PageReference().Match(note);
            var target = (page.Success ? named.FirstOrDefault(p => p.Highlight.Location?.Page == page.Groups[1].Value) : null)
                ?? named.MaxBy(p => Similarity(p, item))!;
            target.Contested = true;
        }
    }

    /// <summary>Stands in for a sentence markup was cut out of: not prose, so it is neither quoted nor named.</summary>
    private const string AlteredSentence = "<altered>";

    private float[] Dense(SparseVector vector)
    {
        var dense = new float[Math.Max(1, _model.TermCount)];
        for (var k = 0; k < vector.Ids.Length; k++) dense[vector.Ids[k]] = vector.Weights[k];
        return dense;
    }

    /// <summary>
    /// Two highlights that say the same thing (the same passage highlighted twice, or a reworded copy) are quoted
    /// once: the one with a note or more words stays.
    /// </summary>
    private void MarkNearDuplicates()
    {
        var threshold = _byMeaning ? 0.92f : 0.8f;
        var order = _items.Where(i => i.Quote.Length > 0)
            .OrderByDescending(i => !string.IsNullOrWhiteSpace(i.Highlight.Note))
            .ThenByDescending(i => i.Quote.Length)
            .ThenBy(i => i.Index)
            .ToArray();
        var kept = new List<(Item Item, string Normalized)>();
        foreach (var item in order)
        {
            var normalized = Normalized(item.Quote);
            if (kept.Any(k => VectorMath.Cosine(k.Item.Meaning, item.Meaning) >= threshold || k.Item.Lexical.Dot(item.Lexical) >= 0.85
                || k.Normalized.Contains(normalized, StringComparison.Ordinal)))
                item.IsDuplicate = true;
            else
                kept.Add((item, normalized));
        }
    }

    private static string Normalized(string text) => NonWord().Replace(text.ToLowerInvariant(), " ").Trim();

    // ---------- advice ----------

    /// <summary>
    /// Up to three items, taken whole from what the highlights and notes prescribe: a highlight the reader said they
    /// mean to act on first, then instructions in the reader's own notes, then instructions in the highlights,
    /// most central first. A note that only files the highlight elsewhere is not advice.
    /// </summary>
    private List<Advice> ChooseAdvice(List<List<Item>> groups)
    {
        var groupOf = new Dictionary<Item, List<Item>>();
        foreach (var g in groups) foreach (var m in g) groupOf[m] = g;
        var centroid = VectorMath.Centroid(_items.Select(i => i.Meaning).ToArray(), Enumerable.Range(0, _items.Count), _items[0].Meaning.Length);
        var candidates = new List<Advice>();
        foreach (var item in _items.Where(i => !i.IsDuplicate && !i.Contested))
        {
            var note = item.Highlight.Note;
            var plan = ReaderPlan(note);
            var intends = Prescriptive.IsIntentionNote(note) || plan is not null;
            var centrality = VectorMath.Cosine(item.Meaning, centroid);
            // "Water deeply and rarely." with the note "Try this on the tomatoes": the reader's intention is the
            // evidence that a bare sentence no rule recognises is an instruction.
            var fromText = AdviceFromSentences(item.Sentences) ?? (intends ? AdviceFromSentences(item.Sentences, Prescriptive.CouldBeCommand) : null);
            if (fromText is { } t)
            {
                candidates.Add(new Advice(item, t.Title, t.Detail, intends ? 0 : 2, centrality));
                continue;
            }
            // A note's instruction must stand without its highlight ("Try this on Sunday" points at a passage the
            // advice does not show); one in the reader's own person ("Quiz myself …") comes last, quoted as written.
            if (intends && note is not null && AdviceFromSentences(SentenceSplitter.Split(Markup.Clean(note)).Select(Clean).ToList()) is { } n
                && !PointsBack().IsMatch(n.Detail) && !FirstPerson().IsMatch(n.Detail))
                candidates.Add(new Advice(item, n.Title, n.Detail, 1, centrality));
            // The reader's own plan for a passage that is not itself an instruction ("Bring this to the roster meeting
            // on the 14th.", "Write our walk-away on an index card before Thursday's call."): the most specific advice
            // the library holds. It is quoted as the reader wrote it, with the passage its "this" points at.
            else if (plan is { } p && item.Quote.Length > 0 && !item.Tampered && Passages.WordCount(p) <= Prescriptive.MaxWholeTitleWords + 4)
                candidates.Add(new Advice(item, $"“{p.Trim().TrimEnd('.')}”", $"“{p.Trim().TrimEnd('.')}” (your note), on “{item.Quote}”", 1, centrality));
        }

        var chosen = new List<Advice>();
        var taken = new Dictionary<List<Item>, int>();
        // Advice comes out of the sections' material, so an item whose theme would keep fewer than two passages
        // waits until the others are considered.
        // The reader's own plans are never deferred: they are the advice the reader asked for.
        int Left(Advice a) => a.Tier <= 1 ? 2 : groupOf.TryGetValue(a.Item, out var g) ? g.Count - taken.GetValueOrDefault(g) - 1 : 2;
        var ordered = candidates.OrderBy(c => c.Tier).ThenByDescending(c => c.Score).ThenBy(c => c.Item.Index).ToList();
        foreach (var candidate in ordered.Where(c => Left(c) is 0 or >= 2).Concat(ordered.Where(c => Left(c) == 1)).ToList())
        {
            if (chosen.Count == MaxAdvice) break;
            if (chosen.Contains(candidate)) continue;
            if (chosen.Any(c => VectorMath.Cosine(c.Item.Meaning, candidate.Item.Meaning) >= 0.8f
                || string.Equals(c.Title, candidate.Title, StringComparison.OrdinalIgnoreCase))) continue;
            chosen.Add(candidate);
            if (groupOf.TryGetValue(candidate.Item, out var group)) taken[group] = taken.GetValueOrDefault(group) + 1;
        }
        chosen = chosen.OrderBy(c => ordered.IndexOf(c)).ToList();
        // The body needs room too: two sections of two when there is enough to say, one section otherwise.
        var quotable = _items.Count(i => i.Quotable);
        var needed = quotable >= FewestForTwoSections ? 4 : Math.Min(2, quotable);
        while (chosen.Count > 0 && quotable - chosen.Count(c => c.Item.Quotable) < needed)
            chosen.RemoveAt(chosen.Count - 1);
        foreach (var advice in chosen) advice.Item.Used = true;
        return chosen;
    }

    /// <summary>
    /// Ties an advice item to the section it follows from, the one closest to it in meaning, so the advice reads as
    /// coming out of the analysis; nothing when no section is close (essay only: the other styles keep items short).
    /// </summary>
    private string FollowsFrom(Advice advice, List<Theme> themes, HashSet<string> followed)
    {
        if (_options.Style is "briefing" or "newsletter" || themes.Count == 0) return "";
        // A heading that states a number ("Plan the Week in Thirty Minutes") would put that number under the advice
        // item's citation, which does not state it.
        var nearest = themes.Where(t => t.Heading.Length > 0 && !NumberInHeading().IsMatch(t.Heading)).Select(t => (t.Heading, Similarity: VectorMath.Cosine(advice.Item.Meaning, t.Centroid)))
            .OrderByDescending(x => x.Similarity).FirstOrDefault();
        // Each section is named once: three items "following from" one section reads as a formula, not a link.
        return nearest.Heading is null || nearest.Similarity < (_byMeaning ? FollowsFromSimilarity : 0.1) || !followed.Add(nearest.Heading) ? ""
            : $" The section “{nearest.Heading}” leads here.";
    }

    [GeneratedRegex(@"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|half|twice|once)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberInHeading();

    /// <summary>Cosine (MiniLM) from which an advice item is said to follow from a section: below it the link is a guess.</summary>
    private const double FollowsFromSimilarity = 0.4;

    /// <summary>
    /// The reader's own plan for an instruction taken from the highlight ("Doing the no-dig trial on the two back beds
    /// this April."), quoted after it as theirs; nothing when the item is the note itself.
    /// </summary>
    private static string AdviceNote(Advice advice) =>
        advice.Tier is 0 or 2 && !Prescriptive.IsPointerNote(advice.Item.Highlight.Note)
        && QuotableNote(advice.Item) is { } note && !advice.Detail.Contains(note, StringComparison.Ordinal)
            ? $" Your note: “{note}”"
            : "";

    /// <summary>
    /// The first sentence of the reader's note that states what they will do, as written: a command ("Bring this to
    /// the roster meeting on the 14th.") or a should/must claim, not a question nor a note that only files the
    /// highlight elsewhere. Null when the note holds none.
    /// </summary>
    private static string? ReaderPlan(string? note)
    {
        if (string.IsNullOrWhiteSpace(note) || Markup.Contains(note) || Prescriptive.IsPointerNote(note)) return null;
        return SentenceSplitter.Split(Markup.Clean(note)).Select(Clean)
            .FirstOrDefault(x => Passages.WordCount(x) >= 4 && !x.TrimEnd().EndsWith('?')
                && (Prescriptive.StartsAsCommand(x) || Prescriptive.IsPrescriptive(x)));
    }

    /// <summary>The first instruction among the sentences that opens cleanly and has a whole title, with the sentences that explain it.</summary>
    private static (string Title, string Detail)? AdviceFromSentences(IReadOnlyList<string> sentences, Func<string, bool>? isInstruction = null)
    {
        isInstruction ??= Prescriptive.IsPrescriptive;
        for (var i = 0; i < sentences.Count; i++)
        {
            var sentence = sentences[i];
            if (!Passages.IsProse(sentence) || Passages.StartsWithDanglingReference(sentence) || !isInstruction(sentence)) continue;
            // "You should write the review down" reads as the command "Write the review down"; the title is that
            // command's first phrase, short, and the detail goes on from it in the reader's words.
            var command = Prescriptive.AsCommand(sentence);
            if (Prescriptive.ShortTitle(command) is not { } title) continue;
            var detail = command;
            var words = Passages.WordCount(sentence);
            for (var j = i + 1; j < sentences.Count && Passages.IsProse(sentences[j]); j++)
            {
                // An author's report in the first person ("We logged sleepiness for three months …") is their story,
                // not part of the instruction given to the reader.
                if (StartsInFirstPerson().IsMatch(sentences[j])) break;
                words += Passages.WordCount(sentences[j]);
                if (words > 45) break;
                detail += " " + sentences[j];
            }
            return (title, detail);
        }
        return null;
    }

    // ---------- sections ----------

    private int SectionQuota => _options.Style switch
    {
        "briefing" => 4,
        "newsletter" => 2,
        _ => _options.Length switch { "short" => 2, "long" => 5, _ => 4 },
    };

    private int MaxSectionCount => _options.Length switch { "short" => 3, "long" => MaxThemes, _ => 4 };

    /// <summary>
    /// Groups what advice left by meaning, then folds groups of one into the nearest group that is close enough
    /// (dropping a stray passage that belongs to none), so every section rests on at least two highlights.
    /// </summary>
    /// <summary>Every quotable highlight grouped by meaning (by embeddings when given), before advice takes its share.</summary>
    private List<List<Item>> Group()
    {
        var pool = _items.Where(i => i.Quotable).ToList();
        // A stray the reader did not comment on (an aside, a passage far from everything else) is left out when enough
        // remains: quoted inside a section it reads as part of the argument.
        var strays = pool.Where(i => i.Outlier && !HasComment(i)).ToList();
        if (strays.Count > 0 && pool.Count - strays.Count >= FewestForTwoSections) pool = pool.Except(strays).ToList();
        if (pool.Count < 4) return pool.Count == 0 ? [] : [pool];
        // Silhouette alone favours two broad groups on small libraries, which makes sections that hold several
        // topics; asking for one theme per four passages (up to four) keeps sections on one idea, and groups too
        // small to stand are merged or dropped afterwards.
        var vectors = GroupingVectors(pool);
        var centrality = CentralityRanker.Rank(vectors);
        var minK = Math.Clamp(pool.Count / 4, 2, 4);
        var clusters = ThemeClustering.Cluster(vectors, minK, Math.Max(minK, Math.Min(MaxThemes, pool.Count)), centrality[0]);
        return clusters.Select(g => g.Select(i => pool[i]).ToList()).ToList();
    }

    /// <summary>Weight of the reader's own tags, and of a passage's source, beside its meaning when grouping.</summary>
    private const float TagWeight = 0.5f;
    private const float SourceWeightSmall = 0.45f;
    private const float SourceWeightLarge = 0.25f;

    /// <summary>
    /// What grouping compares: the passage's meaning, then the reader's tags and the source it comes from. On small
    /// libraries one-sentence passages of different topics can sit as close by MiniLM as two of one topic; the tags the
    /// reader gave and the book a passage comes from are evidence of topic the embeddings do not see. Sources weigh
    /// less on large libraries, where meaning has enough passages to go on and sections should join sources.
    /// </summary>
    private float[][] GroupingVectors(List<Item> pool)
    {
        var tags = pool.SelectMany(i => i.Highlight.Tags).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // A tag on every passage, or on one, says nothing about which passages go together.
        var useful = tags.Where(t => pool.Count(i => i.Highlight.Tags.Any(x => x.Trim().Equals(t, StringComparison.OrdinalIgnoreCase))) is var n && n >= 2 && n < pool.Count).ToArray();
        var sources = pool.Select(i => i.SourceKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sourceWeight = sources.Length < 2 ? 0 : pool.Count <= 16 ? SourceWeightSmall : SourceWeightLarge;
        var dimension = pool[0].Meaning.Length;
        return pool.Select(item =>
        {
            var v = new float[dimension + useful.Length + sources.Length];
            Array.Copy(item.Meaning, v, dimension);
            var own = useful.Where(t => item.Highlight.Tags.Any(x => x.Trim().Equals(t, StringComparison.OrdinalIgnoreCase))).ToArray();
            foreach (var t in own) v[dimension + Array.IndexOf(useful, t)] = TagWeight / MathF.Sqrt(own.Length);
            if (sourceWeight > 0) v[dimension + useful.Length + Array.IndexOf(sources, item.SourceKey)] = sourceWeight;
            return VectorMath.Normalize(v);
        }).ToArray();
    }

    private List<Theme> FormThemes(List<List<Item>> grouped)
    {
        var groups = grouped.Select(g => g.Where(i => !i.Used).ToList()).Where(g => g.Count > 0).ToList();
        if (groups.Count == 0) return [];
        var quotable = _items.Count(i => i.Quotable);

        var mergeThreshold = _byMeaning ? 0.2f : 0.05f;
        while (groups.Count > 1 && groups.Any(g => g.Count < 2))
        {
            var small = groups.First(g => g.Count < 2);
            groups.Remove(small);
            foreach (var member in small)
            {
                var nearest = groups.MaxBy(g => VectorMath.Cosine(member.Meaning, CentroidOf(g)))!;
                if (VectorMath.Cosine(member.Meaning, CentroidOf(nearest)) >= mergeThreshold) nearest.Add(member);
            }
        }
        if (groups.Count == 1 && groups[0].Count >= 4 && quotable >= FewestForTwoSections)
            groups = Split(groups[0]);
        DropStrayGroups(groups);
        DropAsideGroups(groups);

        return groups
            .Where(g => g.Count > 0)
            .OrderByDescending(g => g.Count)
            .ThenBy(g => g.Min(i => i.Index))
            .Take(MaxSectionCount)
            .Select(g => new Theme(g.OrderBy(i => i.Index).ToList()) { Centroid = CentroidOf(g) })
            .ToList();
    }

    /// <summary>
    /// Below this mean pairwise cosine (by meaning) a group's passages do not hold together, and below
    /// <see cref="StrayDistanceByMeaning"/> between its centre and the rest of the reading's it is far from everything
    /// else. Measured with MiniLM on samples/*, docs/writer-eval/held-out/* and three further libraries: real sections
    /// sit at 0.07–0.58 within and 0.27–0.77 from the rest; two stray anecdotes grouped together (a café's cardamom
    /// bun and a memory of Beirut in a negotiation library) at 0.155 and 0.112.
    /// </summary>
    private const double StrayCohesionByMeaning = 0.25;
    private const double StrayDistanceByMeaning = 0.2;

    /// <summary>
    /// Drops a group whose passages neither hold together nor sit near the rest of the reading: stray highlights that
    /// belong to no theme (an anecdote, a dedication) otherwise make a section of their own, which the conclusion
    /// then lists as a key point. Its passages stay uncited and are counted as left out. Only by meaning: TF-IDF
    /// cosines between short passages are near zero for real sections too. The largest group is never dropped.
    /// </summary>
    private void DropStrayGroups(List<List<Item>> groups)
    {
        if (!_byMeaning || groups.Count < 2) return;
        var largest = groups.MaxBy(g => g.Count)!;
        foreach (var group in groups.Where(g => g != largest && g.Count >= 2).ToArray())
        {
            var pairs = new List<double>();
            for (var x = 0; x < group.Count; x++)
                for (var y = x + 1; y < group.Count; y++)
                    pairs.Add(VectorMath.Cosine(group[x].Meaning, group[y].Meaning));
            var rest = _items.Where(i => !group.Contains(i)).ToArray();
            if (rest.Length == 0) continue;
            if (pairs.Average() < StrayCohesionByMeaning && VectorMath.Cosine(CentroidOf(group), CentroidOf(rest)) < StrayDistanceByMeaning)
                groups.Remove(group);
        }
    }

    /// <summary>
    /// Drops a group made only of asides (past-tense stories with no figure, <see cref="Passages.IsNarrative"/>) that
    /// the reader did not comment on: two anecdotes that happen to sit together are not a theme, and a section of them
    /// would lead the conclusion astray. By form, so it holds without embeddings too. The largest group is kept.
    /// </summary>
    private static void DropAsideGroups(List<List<Item>> groups)
    {
        if (groups.Count < 2) return;
        var largest = groups.MaxBy(g => g.Count)!;
        groups.RemoveAll(g => g != largest && g.All(i => Passages.IsNarrative(i.Quote) && !HasComment(i)));
    }

    /// <summary>True when the reader wrote something about the passage beyond a word or two ("ha", "yes").</summary>
    private static bool HasComment(Item item) =>
        item.Highlight.Note is { } note && Passages.WordCount(Markup.Clean(note)) >= 3 && !Markup.Contains(note) && !Prescriptive.IsPointerNote(note);

    /// <summary>Two halves of one group, cut along the line between its two most different members.</summary>
    private static List<List<Item>> Split(List<Item> group)
    {
        var vectors = group.Select(i => i.Meaning).ToArray();
        var first = CentralityRanker.Rank(vectors)[0];
        var seeds = ThemeClustering.Seeds(vectors, 2, first);
        var a = vectors[seeds[0]];
        var b = vectors[seeds[^1]];
        var ordered = group.OrderByDescending(i => VectorMath.Cosine(i.Meaning, a) - VectorMath.Cosine(i.Meaning, b)).ThenBy(i => i.Index).ToList();
        var half = ordered.Count / 2;
        return [ordered[..half], ordered[half..]];
    }

    private static float[] CentroidOf(IReadOnlyList<Item> members) =>
        members.Count == 0 ? [] : VectorMath.Centroid(members.Select(m => m.Meaning).ToArray(), Enumerable.Range(0, members.Count), members[0].Meaning.Length);

    // A note that relates its passage to another source: "Same idea as …", "Agrees with Fitch", "Abernathy says the opposite".
    [GeneratedRegex(@"\b(same (idea|point|worry|thing|argument|finding|claim|problem|point)|agrees?|disagrees?|echo(es)?|fits|contradicts?|opposite|counter|unlike|similar|matches|compare|cf\b|vs\b|versus|check)", RegexOptions.IgnoreCase)]
    private static partial Regex RelatingNote();

    [GeneratedRegex(@"\b(?:p\.?|page)\s*(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PageReference();

    /// <summary>
    /// The reader's own synthesis: a note that relates its passage to another source ("Same idea as Brine &amp;
    /// Reason p.36", "Agrees with Fitch on marinades") names that source by its author's surname or its title. The
    /// passage it points at (by page when the note gives one, else the closest in meaning of that source) joins the
    /// annotated passage's section, so the two are quoted together and the note can say how they relate.
    /// </summary>
    private void LinkNotedPassages(List<Theme> themes)
    {
        var themeOf = new Dictionary<Item, Theme>();
        foreach (var t in themes) foreach (var m in t.Members) themeOf[m] = t;
        var pool = _items.Where(i => i.Quotable && !i.Used || themeOf.ContainsKey(i)).ToArray();
        foreach (var item in themeOf.Keys.ToArray().OrderBy(i => i.Index))
        {
            var note = item.Highlight.Note;
            if (string.IsNullOrWhiteSpace(note) || !RelatingNote().IsMatch(note) || Markup.Contains(note)) continue;
            // The passage meant is found among all of that source's, so that one taken for advice is not replaced by
            // a lesser match: the note then points at the advice instead.
            var named = _items.Where(p => !p.IsDuplicate && p.Quote.Length > 0 && p.SourceKey != item.SourceKey && NamesSource(note, p.Highlight)).ToArray();
            if (named.Length == 0) continue;
            var page = PageReference().Match(note);
            var target = (page.Success ? named.FirstOrDefault(p => p.Highlight.Location?.Page == page.Groups[1].Value) : null)
                ?? named.MaxBy(p => Similarity(p, item))!;
            if (!pool.Contains(target))
            {
                if (_adviceItems.Contains(target)) item.LinkedTo = target;
                continue;
            }
            var home = themeOf[item];
            if (themeOf.TryGetValue(target, out var away) && away != home)
            {
                // Never leave the other section with a single passage.
                if (away.Members.Count <= 2) continue;
                away.Members.Remove(target);
                away.Centroid = CentroidOf(away.Members);
            }
            if (!home.Members.Contains(target)) home.Members.Add(target);
            themeOf[target] = home;
            item.LinkedTo = target;
        }
    }

    /// <summary>True when the note names the highlight's source: its author's surname, or its title up to a colon.</summary>
    private static bool NamesSource(string note, Highlight highlight)
    {
        var author = highlight.Source.Author?.Trim() ?? "";
        // "Wren, Tomasz" (Kindle) and "Tomasz Wren" both have the surname "Wren".
        var surname = author.Contains(',') ? author.Split(',')[0].Trim() : author.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (surname.Length >= 3 && Regex.IsMatch(note, $@"\b{Regex.Escape(surname)}\b", RegexOptions.IgnoreCase)) return true;
        var title = Markup.Clean(highlight.Source.Title ?? "").Trim();
        var colon = title.IndexOfAny([':', '|', '(', '?', '—', '–']);
        if (colon > 3) title = title[..colon].Trim();
        if (title.Length >= 6 && note.Contains(title, StringComparison.OrdinalIgnoreCase)) return true;
        // "the Commons Lab survey" names "Sustaining Volunteer Infrastructure (…, Commons Maintenance Lab)": a
        // capitalised word inside a sentence of the note that the source's full title also has, capitalised.
        var fullTitle = Markup.Clean(highlight.Source.Title ?? "");
        return NameInsideSentence().Matches(note).Select(m => m.Groups[1].Value)
            .Any(w => Regex.IsMatch(fullTitle, $@"\b{Regex.Escape(w)}\b"));
    }

    // A capitalised word of four letters or more that does not open a sentence: a name, not a sentence's first word.
    [GeneratedRegex(@"(?<![.!?]\s|^|[(""“])(?<=\s)(\p{Lu}\p{Ll}{3,})\b")]
    private static partial Regex NameInsideSentence();

    /// <summary>The members closest to the section's meaning, preferring a source not yet quoted, in reading order.</summary>
    private void QuoteMembers(Theme theme)
    {
        // A passage the reader commented on is worth more to the article (the note is quoted with it); an aside less.
        var ranked = theme.Members.OrderByDescending(m => VectorMath.Cosine(m.Meaning, theme.Centroid) * (Passages.IsNarrative(m.Quote) ? 0.7 : 1) + (HasComment(m) ? 0.08 : 0))
            .ThenBy(m => m.Index).ToList();
        // A pair the reader linked in a note is quoted first, together.
        foreach (var linked in theme.Members.Where(m => m.LinkedTo is not null && theme.Members.Contains(m.LinkedTo)).ToArray())
        {
            ranked.Remove(linked.LinkedTo!);
            ranked.Insert(0, linked.LinkedTo!);
            ranked.Remove(linked);
            ranked.Insert(0, linked);
        }
        var sources = new HashSet<string>(StringComparer.Ordinal);
        while (theme.Quoted.Count < SectionQuota && ranked.Count > 0)
        {
            var next = ranked[0].LinkedTo is not null || theme.Quoted.LastOrDefault()?.LinkedTo == ranked[0]
                ? ranked[0]
                : ranked.FirstOrDefault(m => !sources.Contains(m.SourceKey)) ?? ranked[0];
            ranked.Remove(next);
            theme.Quoted.Add(next);
            sources.Add(next.SourceKey);
            next.Used = true;
        }
        theme.Centroid = CentroidOf(theme.Quoted);
    }

    /// <summary>The largest section first, then each time the one closest in meaning to the last, so one leads to the next.</summary>
    private static List<Theme> OrderThemes(List<Theme> themes)
    {
        if (themes.Count <= 2) return themes;
        var ordered = new List<Theme> { themes[0] };
        var rest = themes.Skip(1).ToList();
        while (rest.Count > 0)
        {
            var next = rest.MaxBy(t => VectorMath.Cosine(ordered[^1].Centroid, t.Centroid))!;
            ordered.Add(next);
            rest.Remove(next);
        }
        return ordered;
    }

    /// <summary>A passage the sections did not need, closest to the whole reading: it opens the article after the thread is stated.</summary>
    private Item? OverviewQuote(List<Theme> themes)
    {
        if (_options.Style == "briefing" || _options.Length == "short") return null;
        var left = themes.SelectMany(t => t.Members).Where(m => !m.Used && !m.Tampered && !m.Outlier).ToArray();
        if (left.Length == 0) return null;
        var all = themes.SelectMany(t => t.Quoted).ToArray();
        var centroid = CentroidOf(all);
        var best = left.OrderByDescending(m => VectorMath.Cosine(m.Meaning, centroid)).ThenBy(m => m.Index).First();
        best.Used = true;
        return best;
    }

    // ---------- headings and the thread ----------

    // Words that name a quantity or a part of something rather than a thing ("the rest of the day").
    private static readonly HashSet<string> PartWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "rest", "lot", "lots", "most", "part", "parts", "kind", "sort", "type", "bit", "couple", "number", "amount",
        "majority", "top", "bottom", "end", "piece", "deal", "fact", "case", "matter", "side", "sense", "reason",
        "result", "example", "idea", "question", "questions", "answer", "problem", "problems", "level", "form",
        "hour", "hours", "minute", "minutes", "week", "weeks", "month", "months", "moment", "morning", "evening", "night",
        "afternoon", "tonight", "tomorrow", "yesterday", "weekend", "start", "finish", "place", "person", "someone",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "anyone", "step", "steps",
    };

    private static readonly HashSet<string> Describing = new(StringComparer.OrdinalIgnoreCase)
    {
        "daily", "weekly", "monthly", "yearly", "hourly", "nightly", "early", "elderly", "costly", "timely", "lonely", "friendly",
    };

    private static readonly HashSet<string> Cues = new(StringComparer.OrdinalIgnoreCase)
    {
        "start", "stop", "begin", "remember", "ask", "help", "feel", "felt", "happen", "matter", "tend", "allow", "seem",
        "consider", "let", "aim", "count", "check", "notice", "care", "avoid", "try", "make", "keep", "get", "use",
    };

    /// <summary>
    /// Noun phrases of one to four words from the section's quoted passages: runs of content words that end in a
    /// word this reader uses as a thing, never a quantity word used partitively ("the rest of the day").
    /// </summary>
    private List<Candidate> HeadingCandidates(Theme theme) => PhraseCandidates(theme.Quoted);

    private List<Candidate> PhraseCandidates(IEnumerable<Item> items)
    {
        // An aside's words ("chose blue") do not name what a section or the reading is about.
        var all = items.ToArray();
        if (all.Any(i => !Passages.IsNarrative(i.Quote))) items = all.Where(i => !Passages.IsNarrative(i.Quote));
        var seen = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var tokens = item.Tokens;
            for (var start = 0; start < tokens.Count; start++)
            {
                for (var length = 1; length <= 4 && start + length <= tokens.Count; length++)
                {
                    var end = start + length - 1;
                    if (!tokens[end].IsContent || (length > 1 && tokens[end].AfterBreak)) break;
                    var span = tokens.Skip(start).Take(length).ToArray();
                    if (!span.All(t => t.IsContent)) break;
                    if (!IsNamingPhrase(span, tokens, end)) continue;
                    var stems = span.Select(t => t.Stem!).ToArray();
                    var key = string.Join(' ', stems);
                    if (seen.ContainsKey(key)) continue;
                    var text = string.Join(' ', span.Select(t => IsAcronym(t.Surface) ? t.Surface : t.Surface.ToLowerInvariant().Replace('’', '\'')));
                    seen[key] = new Candidate(text, stems, key);
                }
            }
        }
        return seen.Values.ToList();
    }

    private bool IsNamingPhrase(Token[] span, List<Token> tokens, int end)
    {
        var last = span[^1].Surface.ToLowerInvariant().Replace('’', '\'');
        var first = span[0].Surface.ToLowerInvariant();
        if (last.Length < 3 || !last.Any(char.IsLetter)) return false;
        if (PartWords.Contains(last) || span.Any(t => Cues.Contains(t.Surface.ToLowerInvariant()))) return false;
        if (span.Any(t => WordRoles.IsAdverb(t.Surface.ToLowerInvariant())) || WordRoles.IsParticiple(last)) return false;
        if (last.EndsWith("ing", StringComparison.Ordinal) && span.Length > 1) return false;
        // "tomorrow's" belongs to the word after it; "weekly" and "daily" describe a thing without naming it.
        if (span.Any(t => t.Surface.EndsWith("'s", StringComparison.Ordinal) || t.Surface.EndsWith("’s", StringComparison.Ordinal) || t.Surface.EndsWith('\''))
            || Describing.Contains(last)) return false;
        // Inside a phrase every word but the first must read as a thing too: "merchants carry trust" is a clause.
        if (span.Skip(1).Take(span.Length - 2).Any(t => _roles.Nounness(t.Stem!) < 0.5 || WordRoles.IsParticiple(t.Surface.ToLowerInvariant()))) return false;
        if (span.Length > 1 && WordRoles.IsParticiple(first) && span.Length > 2) return false;
        // A lone "-ing" or "-s" word is more often an action ("deploying", "feels") than the name of a theme.
        if (span.Length == 1 && (last.EndsWith("ing", StringComparison.Ordinal) || last.EndsWith('s') && !last.EndsWith("ss", StringComparison.Ordinal))
            && _roles.FormNounness(last) < 0.6) return false;
        // A word followed by "of" is usually a part of something else: "cost of", "rest of".
        if (end + 1 < tokens.Count && tokens[end + 1].Surface.Equals("of", StringComparison.OrdinalIgnoreCase) && !tokens[end + 1].AfterBreak) return false;
        // The first word opening a command ("Write notes") is an action, not a description.
        if (span[0].StartsClause && _roles.Nounness(span[0].Stem!) < 0.5 && span.Length > 1) return false;
        var nounness = (_roles.Nounness(span[^1].Stem!) + _roles.FormNounness(last)) / 2;
        if (nounness < 0.45) return false;
        // Subject and verb ("learning happens", "habit works") read as a clause, not a name.
        if (span.Length > 1 && last.EndsWith('s') && !last.EndsWith("ss", StringComparison.Ordinal) && !last.EndsWith("us", StringComparison.Ordinal)
            && _roles.PhraseNounness(span[^2].Stem!, span[^1].Stem!, last) < 0.45) return false;
        // The first word of a compound may read as an action in this reader's text ("attention residue" after
        // "leaves"); only a clause-opening command ("Write notes", checked above) is ruled out.
        return true;
    }

    private double Support(Candidate candidate, IEnumerable<Item> items) =>
        items.Count(i => candidate.Stems.All(s => i.Tokens.Any(t => t.Stem == s)));

    private float[] PhraseVector(Candidate candidate, Dictionary<string, float[]> vectorOf, bool byMeaning) =>
        byMeaning ? vectorOf[candidate.Text] : Dense(_model.Vectorize(candidate.Stems));

    private float[] LexicalCentroid(IReadOnlyList<Item> items)
    {
        var centroid = TfIdfModel.Centroid(items.Select(i => i.Lexical).ToArray(), Enumerable.Range(0, items.Count), _model.TermCount);
        return centroid.Select(v => (float)v).ToArray();
    }

    /// <summary>
    /// Each section's heading: its candidate closest in meaning to the section's centre, weighted by how many of the
    /// section's passages use it and how few other sections do; no word is shared with another heading, and with
    /// embeddings no two headings mean nearly the same. The largest sections choose first.
    /// </summary>
    private void NameThemes(List<Theme> themes, IReadOnlyList<List<Candidate>> candidates, Dictionary<string, float[]> vectorOf, bool byMeaning)
    {
        var usedStems = new HashSet<string>(StringComparer.Ordinal);
        var usedVectors = new List<float[]>();
        var usedHeadings = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in Enumerable.Range(0, themes.Count).OrderByDescending(t => themes[t].Quoted.Count).ThenBy(t => t))
        {
            var theme = themes[t];
            var centre = byMeaning ? theme.Centroid : LexicalCentroid(theme.Quoted);
            var others = themes.Where(o => o != theme).SelectMany(o => o.Quoted).ToArray();
            var best = candidates[t]
                .Where(c => !c.Stems.Any(usedStems.Contains))
                .Select(c =>
                {
                    var vector = PhraseVector(c, vectorOf, byMeaning);
                    var similarity = Math.Max(0, VectorMath.Cosine(vector, centre));
                    var support = Support(c, theme.Quoted);
                    var outside = Support(c, others);
                    var lengthWeight = c.Stems.Length switch { 1 => 0.7, 2 => 1.0, 3 => 0.85, _ => 0.7 };
                    // A heading names what several of the section's passages share: a phrase from one quotation names only that quotation.
                    var score = similarity * support / (1 + outside) * lengthWeight;
                    return (Candidate: c, Vector: vector, Score: score);
                })
                .Where(x => !byMeaning || usedVectors.All(v => VectorMath.Cosine(v, x.Vector) < 0.8f))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => x.Candidate.Key, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best.Candidate is null)
            {
                theme.Phrase = "these passages";
                theme.Heading = Unique("Related Passages");
                continue;
            }
            theme.Phrase = best.Candidate.Text;
            theme.Heading = Unique(TitleCase(best.Candidate.Text));
            theme.HeadingStems = best.Candidate.Stems;
            usedStems.UnionWith(best.Candidate.Stems);
            if (byMeaning) usedVectors.Add(best.Vector);

            string Unique(string heading)
            {
                var unique = heading;
                for (var suffix = 2; !usedHeadings.Add(unique); suffix++) unique = $"{heading} {suffix}";
                return unique;
            }
        }
    }

    /// <summary>Thread candidates come from every passage the sections hold, quoted or not: the thread may run beneath the quotations.</summary>
    private List<Candidate> ThreadCandidates(List<Theme> themes) => PhraseCandidates(themes.SelectMany(t => t.Members));

    /// <summary>
    /// What joins the sections: the phrase nearest the whole reading's centre that the most sections share. It names
    /// the title and the overview's first sentence.
    /// </summary>
    private const double ThreadSimilarityByMeaning = 0.35;
    private const double ThreadSimilarityByWords = 0.1;

    private string? Thread(List<Theme> themes, List<Candidate> candidates, Dictionary<string, float[]> vectorOf, bool byMeaning)
    {
        if (themes.Count == 0) return null;
        var members = themes.SelectMany(t => t.Members).ToArray();
        var centre = byMeaning ? CentroidOf(members) : LexicalCentroid(members);
        // A thread that is one section's heading names that section, not what joins them all; one that a single
        // passage uses is that passage's word. With none left, the article names its sections instead.
        var headingStems = themes.SelectMany(t => t.HeadingStems).ToHashSet(StringComparer.Ordinal);
        var needed = Math.Min(2, themes.Count);
        var best = candidates
            .Where(c => !c.Stems.Any(headingStems.Contains))
            .Select(c => (Candidate: c, Support: Support(c, members), Spread: themes.Count(t => Support(c, t.Members) > 0)))
            .Where(x => x.Support >= 2 && x.Spread >= needed)
            .Select(x =>
            {
                var similarity = Math.Max(0, VectorMath.Cosine(PhraseVector(x.Candidate, vectorOf, byMeaning), centre));
                var lengthWeight = x.Candidate.Stems.Length switch { 1 => 1.0, 2 => 1.0, 3 => 0.8, _ => 0.6 };
                return (x.Candidate, Similarity: similarity, Score: similarity * x.Spread * lengthWeight * Math.Sqrt(x.Support));
            })
            // A shared word far from what the passages mean ("recording", "feeling") is a coincidence of wording.
            .Where(x => x.Similarity >= (byMeaning ? ThreadSimilarityByMeaning : ThreadSimilarityByWords))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Candidate.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Candidate?.Text;
    }

    // ---------- what the prose may say ----------

    /// <summary>Cosine from which two passages are said to take up the same subject (meaning), or to share it (words).</summary>
    private double SameSubjectThreshold => _byMeaning ? 0.5 : 0.25;

    private ExtractiveProse.QuotePlan[] QuotePlans(Theme theme)
    {
        var order = theme.Quoted.ToList();
        // The passage a note points at follows the annotated one, so the note reads as the bridge between them.
        foreach (var linked in theme.Quoted.Where(q => q.LinkedTo is not null && theme.Quoted.Contains(q.LinkedTo)))
        {
            order.Remove(linked.LinkedTo!);
            order.Insert(order.IndexOf(linked) + 1, linked.LinkedTo!);
        }
        return order.Select((q, i) => new ExtractiveProse.QuotePlan(q.Quote, q.Number, q.SourceKey, q.Highlight,
            SameSubject: order.Take(i).Any(p => p.SourceKey != q.SourceKey && Similarity(p, q) >= SameSubjectThreshold),
            Link: q.LinkedTo is not null && (order.Contains(q.LinkedTo) || _adviceItems.Contains(q.LinkedTo)) ? Markup.Clean(q.Highlight.Note!).Trim() : null,
            LinkToAdvice: q.LinkedTo is not null && _adviceItems.Contains(q.LinkedTo) ? SourceName(q.LinkedTo.Highlight) : null,
            Note: QuotableNote(q),
            Disputes: q.LinkedTo is not null && DisputingNote().IsMatch(q.Highlight.Note ?? ""))).ToArray();
    }

    /// <summary>The reader's note on a passage, to quote after it as theirs: a few words or more, without markup.</summary>
    private static string? QuotableNote(Item item)
    {
        var note = item.Highlight.Note;
        if (string.IsNullOrWhiteSpace(note) || Markup.Contains(note)) return null;
        var clean = Clean(note);
        return Passages.WordCount(clean) >= 2 ? clean : null;
    }

    private double Similarity(Item a, Item b) => _byMeaning ? VectorMath.Cosine(a.Meaning, b.Meaning) : a.Lexical.Dot(b.Lexical);

    /// <summary>The names of the sources whose quoted passages in the section use its phrase.</summary>
    private string[] PhraseSources(Theme theme) =>
        theme.HeadingStems.Count == 0 ? [] :
        theme.Quoted.Where(q => theme.HeadingStems.All(s => q.Tokens.Any(t => t.Stem == s)))
            .Select(q => SourceName(q.Highlight)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>A noun phrase passages of both sections use, the longest and most used first; null when they share none.</summary>
    private string? SharedPhrase(Theme previous, Theme next, Dictionary<string, float[]> vectorOf, bool byMeaning)
    {
        var before = PhraseCandidates(previous.Quoted).ToDictionary(c => c.Key, StringComparer.Ordinal);
        // A word both happen to use ("test", "words") is not a link: the phrase must be near both sections' meaning.
        bool NearBoth(Candidate c) => byMeaning && vectorOf.TryGetValue(c.Text, out var v) && v.Length > 0
            ? VectorMath.Cosine(v, previous.Centroid) >= 0.35 && VectorMath.Cosine(v, next.Centroid) >= 0.35
            : c.Stems.Length >= 2 || Support(c, previous.Quoted) + Support(c, next.Quoted) >= 3;
        return PhraseCandidates(next.Quoted)
            .Where(c => before.ContainsKey(c.Key) && !PartWords.Contains(c.Text) && NearBoth(c))
            .Select(c => (c.Text, Score: c.Stems.Length * 2 + Support(c, previous.Quoted) + Support(c, next.Quoted)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Text, StringComparer.Ordinal)
            .Select(x => x.Text)
            .FirstOrDefault();
    }

    // ---------- the thesis ----------

    /// <summary>
    /// The one claim the article is built around, drawn from the library: where two sources the reader set against
    /// each other in a note part ways (and which way the note leans), else where a note says two sources meet, else
    /// the two passages from different sources that agree most closely in the same section. Only central passages
    /// qualify; a tampered or stray one never carries the article.
    /// </summary>
    private ExtractiveProse.ThesisPlan? Thesis(List<Theme> themes)
    {
        var pairs = new List<(Item A, Item B, ExtractiveProse.ThesisKind Kind, Theme Theme, double Score)>();
        foreach (var theme in themes)
        {
            foreach (var a in theme.Quoted.Where(q => q.LinkedTo is not null && theme.Quoted.Contains(q.LinkedTo)))
            {
                var b = a.LinkedTo!;
                if (a.Tampered || b.Tampered) continue;
                var disputes = DisputingNote().IsMatch(a.Highlight.Note ?? "");
                pairs.Add((a, b, disputes ? ExtractiveProse.ThesisKind.Tension : ExtractiveProse.ThesisKind.Agreement, theme,
                    (disputes ? 2 : 1) + a.Centrality + b.Centrality));
            }
            for (var x = 0; x < theme.Quoted.Count; x++)
                for (var y = x + 1; y < theme.Quoted.Count; y++)
                {
                    var (a, b) = (theme.Quoted[x], theme.Quoted[y]);
                    if (a.SourceKey == b.SourceKey || !MayStateClaim(a) || !MayStateClaim(b)) continue;
                    var similarity = Similarity(a, b);
                    if (similarity < ThesisSimilarity) continue;
                    pairs.Add((a, b, ExtractiveProse.ThesisKind.Convergence, theme, similarity + (a.Centrality + b.Centrality) / 2));
                }
        }
        if (pairs.Count == 0) return null;
        var best = pairs.MaxBy(p => p.Score);
        var topic = SharedTopic(best.A, best.B);
        var lean = best.Kind == ExtractiveProse.ThesisKind.Tension ? Lean(best.A, best.B) : (ExtractiveProse.Leaning.None, null);
        return new ExtractiveProse.ThesisPlan(best.Kind, best.A.Highlight, best.A.Number, best.B.Highlight, best.B.Number,
            topic, best.Theme.Heading, lean.Item1, lean.Item2);
    }

    /// <summary>How close two passages from different sources must be (MiniLM, else words) to be said to meet on one point.</summary>
    private double ThesisSimilarity => _byMeaning ? 0.45 : 0.2;

    /// <summary>A source's name as prose uses it after the first mention: the surname(s) of a person, else the title.</summary>
    private static string ShortSourceName(Highlight highlight)
    {
        var full = SourceName(highlight);
        if (!NamedByPerson(highlight)) return full;
        var people = full.Split(new[] { " and ", ", " }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return people.All(p => p.Split(' ').Length is >= 2 and <= 4) ? KeyPhrases.JoinList(people.Select(p => p.Split(' ')[^1]).ToArray()) : full;
    }

    /// <summary>A noun phrase both passages use (the longest first), which names what they meet or part on; else null.</summary>
    private string? SharedTopic(Item a, Item b)
    {
        var ofA = PhraseCandidates([a]).ToDictionary(c => c.Key, StringComparer.Ordinal);
        var topic = PhraseCandidates([b])
            .Where(c => ofA.ContainsKey(c.Key) && !PartWords.Contains(c.Text))
            .OrderByDescending(c => c.Stems.Length).ThenBy(c => c.Text, StringComparer.Ordinal)
            .Select(c => ofA[c.Key].Text)
            .FirstOrDefault()
            // Without a phrase in common, two content words both use in a row ("cold calling"), else one ("naps" and "nap").
            ?? SharedPair(a, b)
            ?? a.Tokens.Where(t => t.IsContent && t.Surface.Length >= 4 && !PartWords.Contains(t.Surface) && b.Tokens.Any(x => x.IsContent && x.Stem == t.Stem))
                .Select(t => t.Surface.ToLowerInvariant()).FirstOrDefault();
        if (topic is null) return null;
        // "on the first offer", but "on naps": a plural reads without an article.
        var plural = !topic.Contains(' ') && topic.EndsWith('s') && !topic.EndsWith("ss", StringComparison.Ordinal)
            // "on cold calling": an activity reads without one too.
            || topic.EndsWith("ing", StringComparison.Ordinal);
        return Regex.IsMatch(topic, @"^(the|a|an|your|their)\s", RegexOptions.IgnoreCase) || plural ? topic : "the " + topic;
    }

    private static string? SharedPair(Item a, Item b)
    {
        for (var i = 0; i + 1 < a.Tokens.Count; i++)
        {
            var (first, second) = (a.Tokens[i], a.Tokens[i + 1]);
            if (!first.IsContent || !second.IsContent || second.AfterBreak || PartWords.Contains(first.Surface) || PartWords.Contains(second.Surface)) continue;
            for (var j = 0; j + 1 < b.Tokens.Count; j++)
                if (b.Tokens[j].Stem == first.Stem && b.Tokens[j + 1].Stem == second.Stem && !b.Tokens[j + 1].AfterBreak)
                    return $"{first.Surface} {second.Surface}".ToLowerInvariant();
        }
        return null;
    }

    /// <summary>
    /// Which way the reader's note on <paramref name="a"/> leans between its passage and <paramref name="b"/>'s: a side
    /// it names as right, the side whose evidence it prefers ("Hers is anecdote; this is n=214"), both ("Maybe both
    /// true"), each in its case ("X is right for salary talks, Y for procurement"), or none it says.
    /// </summary>
    private static (ExtractiveProse.Leaning, Highlight?) Lean(Item a, Item b)
    {
        var note = Markup.Clean(a.Highlight.Note ?? "");
        bool Names(Item i, string text) => NamesSource(text, i.Highlight);
        if (BothHold().IsMatch(note)) return (ExtractiveProse.Leaning.Both, null);
        var verdict = RightSide().Match(note);
        if (verdict.Success)
        {
            var after = note[verdict.Index..];
            if (Names(a, after) && Names(b, after)) return (ExtractiveProse.Leaning.ByCase, null);
            var who = verdict.Groups["who"].Value;
            if (Names(a, who)) return (ExtractiveProse.Leaning.Side, a.Highlight);
            if (Names(b, who)) return (ExtractiveProse.Leaning.Side, b.Highlight);
        }
        if (Regex.IsMatch(note, @"\bdepends\b", RegexOptions.IgnoreCase)) return (ExtractiveProse.Leaning.ByCase, null);
        // The note weighs the evidence: the other side's is an anecdote, its own passage has a sample or data.
        if (Regex.IsMatch(note, @"\banecdot|\bn\s*=\s*\d+", RegexOptions.IgnoreCase)) return (ExtractiveProse.Leaning.Side, a.Highlight);
        if (Regex.IsMatch(note, @"\bor at least\b", RegexOptions.IgnoreCase)) return (ExtractiveProse.Leaning.Hedged, a.Highlight);
        return (ExtractiveProse.Leaning.None, null);
    }

    [GeneratedRegex(@"\b(maybe|perhaps|probably)?\s*both\s+(are\s+)?(true|right|hold|valid)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BothHold();

    [GeneratedRegex(@"(?<who>[\p{Lu}][\p{L}'’-]+(\s+[\p{Lu}][\p{L}'’-]+)?)\s+(is|was|'s|’s)\s+(right|correct|closer)\b")]
    private static partial Regex RightSide();

    // ---------- claims: headings and title ----------

    private float[] ClaimVector(string text, Dictionary<string, float[]> vectorOf, bool byMeaning) =>
        byMeaning && vectorOf.TryGetValue(text, out var v) && v.Length > 0
            ? v
            : Dense(_model.Vectorize(Tokenizer.Tokenize(text).Where(t => t.IsContent).Select(t => t.Stem!).ToArray()));

    private static double ClaimLengthWeight(int words) => words switch { 3 => 0.8, <= 8 => 1.0, 9 => 0.9, 10 => 0.8, _ => 0.7 };

    /// <summary>
    /// Heads each section with the clause of its quoted passages that is closest to the section's meaning and shares
    /// words with most of its passages, so the heading says what the section says, in the reader's words. The passage
    /// it comes from is quoted first. A section with no clause that stands alone keeps its noun-phrase heading.
    /// </summary>
    private void ClaimHeadings(List<Theme> themes, IReadOnlyList<List<(string Text, Item Item)>> candidates, Dictionary<string, float[]> vectorOf, bool byMeaning)
    {
        var usedVectors = new List<float[]>();
        var usedHeadings = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var t = 0; t < themes.Count; t++)
        {
            var theme = themes[t];
            // The heading states the section's claim: never from a tampered highlight or a stray, when another will do.
            var eligible = candidates[t].Where(c => !c.Item.Tampered && !c.Item.Outlier).ToList();
            // With none, the section keeps its noun-phrase heading rather than state a stray's clause.
            var best = eligible
                .Select(c =>
                {
                    // Measured against the section's other passages, so a passage unlike the rest (an aside) does not
                    // pull the centre towards itself and then head the section.
                    var others = theme.Quoted.Where(q => q != c.Item).ToArray();
                    var centre = others.Length == 0 ? theme.Centroid : byMeaning ? CentroidOf(others) : LexicalCentroid(others);
                    var vector = ClaimVector(c.Text, vectorOf, byMeaning);
                    var stems = Tokenizer.Tokenize(c.Text).Where(x => x.IsContent).Select(x => x.Stem!).ToHashSet(StringComparer.Ordinal);
                    var shared = theme.Quoted.Count(q => q != c.Item && q.Tokens.Any(x => x.IsContent && stems.Contains(x.Stem!)));
                    var score = Math.Max(0, VectorMath.Cosine(vector, centre)) * ClaimLengthWeight(Claims.Words(c.Text).Length)
                        * (1 + 0.15 * shared / Math.Max(1, theme.Quoted.Count - 1))
                        * (Passages.IsNarrative(c.Item.Quote) ? 0.5 : 1)
                        // A clause from a passage central to its section, not one on the section's edge.
                        * (0.5 + 0.5 * Math.Max(0, VectorMath.Cosine(c.Item.Meaning, others.Length == 0 ? theme.Centroid : CentroidOf(others))));
                    return (c.Text, c.Item, Vector: vector, Score: score);
                })
                .Where(x => !usedHeadings.Contains(Claims.TitleCase(x.Text)) && (!byMeaning || usedVectors.All(v => VectorMath.Cosine(v, x.Vector) < 0.85f)))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => x.Text, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best.Item is null) continue;
            theme.Claim = best.Text;
            theme.ClaimItem = best.Item;
            theme.Heading = Claims.TitleCase(best.Text);
            usedHeadings.Add(theme.Heading);
            if (byMeaning) usedVectors.Add(best.Vector);
            theme.Quoted.Remove(best.Item);
            theme.Quoted.Insert(0, best.Item);
        }
    }

    /// <summary>The clause nearest the whole reading's meaning that no heading already uses: the title states it.</summary>
    private string? TitleClaim(List<Theme> themes, List<(string Text, Item Item)> candidates, Item? overviewQuote, Dictionary<string, float[]> vectorOf, bool byMeaning)
    {
        var quoted = themes.SelectMany(t => t.Quoted).Concat(overviewQuote is null ? [] : [overviewQuote]).ToArray();
        var adviceItems = candidates.Select(c => c.Item).Where(i => !quoted.Contains(i)).ToHashSet();
        if (quoted.Length == 0) return null;
        var centre = byMeaning ? CentroidOf(quoted) : LexicalCentroid(quoted);
        var claimed = themes.Select(t => t.ClaimItem).Where(i => i is not null).ToHashSet();
        var headingVectors = themes.Where(t => t.Claim is not null).Select(t => ClaimVector(t.Claim!, vectorOf, byMeaning)).ToArray();
        return candidates
            .Where(c => Claims.Words(c.Text).Length >= 4 && Claims.Words(c.Text).Length <= 10)
            .Select(c =>
            {
                var vector = ClaimVector(c.Text, vectorOf, byMeaning);
                var score = Math.Max(0, VectorMath.Cosine(vector, centre)) * ClaimLengthWeight(Claims.Words(c.Text).Length)
                    * (adviceItems.Contains(c.Item) ? 0.9 : 1.0)
                    // The title states what the reading is most about: a clause of one of its most central passages.
                    * (0.5 + 0.5 * Math.Max(0, c.Item.Centrality));
                return (c.Text, Vector: vector, Score: score);
            })
            .Where(x => headingVectors.All(v => VectorMath.Cosine(v, x.Vector) < 0.85f)
                && themes.All(t => !string.Equals(t.Heading, Claims.TitleCase(x.Text), StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Text, StringComparer.Ordinal)
            .Select(x => x.Text)
            .FirstOrDefault();
    }

    // ---------- helpers ----------

    /// <summary>How the writer's own sentences name a source: its author, else a short form of its title.</summary>
    internal static string SourceName(Highlight highlight)
    {
        var name = RawSourceName(highlight);
        // A source's title or author is the reader's data too: markup in it never reaches the writer's prose.
        var cleaned = Markup.Clean(name).Trim('"', ' ');
        return cleaned.Length == 0 || Markup.Contains(cleaned) || cleaned.Contains('[') ? "one source" : cleaned;
    }

    /// <summary>True when the source is named by a person (its author, or a byline after its title), not by a work's title.</summary>
    internal static bool NamedByPerson(Highlight highlight) =>
        highlight.Source.Author is { } author && author.Trim().Length > 0 && !author.Trim().Equals("unknown", StringComparison.OrdinalIgnoreCase)
        || Byline((highlight.Source.Title ?? "").Trim()) is not null;

    private static string? Byline(string title)
    {
        // "The bus factor is a person: notes … | Jonas Ekwueme-Larsen" names its author after a bar; a title is not a person.
        var dash = new[] { " - ", " | ", " — " }.Select(d => title.LastIndexOf(d, StringComparison.Ordinal)).Max();
        if (dash > 3 && title[(dash + 3)..].Trim() is { Length: > 0 } byline
            && byline.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 1 and <= 4 } words
            && words.All(w => char.IsUpper(w[0])))
            return byline;
        return null;
    }

    private static string RawSourceName(Highlight highlight)
    {
        var author = highlight.Source.Author?.Trim();
        if (!string.IsNullOrEmpty(author) && !author.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            // "Wren, Tomasz" as Kindle writes it reads "Tomasz Wren" in prose.
            // "Rosa Kimathi; Daniel Orr" reads "Rosa Kimathi and Daniel Orr".
            if (author.Contains(';'))
                return KeyPhrases.JoinList(author.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            var parts = author.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && !author.Contains(';') && parts[1].Split(' ').Length <= 2 ? $"{parts[1]} {parts[0]}" : author;
        }
        var title = (highlight.Source.Title ?? "").Trim();
        // A web page's title often ends with its author or site after a dash ("Stepping down. What I wish I'd done
        // sooner. - Mateo Ferraz"): a name of a few capitalised words names the source better than the headline.
        if (Byline(title) is { } byline) return byline;
        // "The Practice Ledger: Notes on …" is called "The Practice Ledger" in prose; a headline that is a sentence or
        // more is called by its first sentence.
        var colon = title.IndexOfAny([':', '|', '(', '?', '—', '–']);
        if (colon > 3) title = title[..colon].Trim();
        var sentenceEnd = title.IndexOf(". ", StringComparison.Ordinal);
        if (sentenceEnd > 3) title = title[..sentenceEnd].Trim();
        return title.Length == 0 ? "one source" : title;
    }

    public static string TitleCase(string phrase) => KeyPhrases.TitleCase(phrase);

    private static bool IsAcronym(string surface) =>
        surface.Length >= 2 && surface.Any(char.IsLetter) && surface.All(c => !char.IsLetter(c) || char.IsUpper(c));

    /// <summary>Bracketed numbers inside a highlight (a book's own footnotes) would read as Hatch citations; line breaks inside a quote are only layout.</summary>
    private static string Clean(string text) =>
        Whitespace().Replace(BracketedNumbers().Replace(text.Trim(), m => "(" + m.Groups[1].Value + ")"), " ");

    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex BracketedNumbers();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"\b(this|that|these|those|it|them)\b(?!\s+(is|was)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex PointsBack();

    [GeneratedRegex(@"\b(i|me|my|myself|mine|we|our|ours|us)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FirstPerson();

    [GeneratedRegex(@"^[""“‘']?(I|We|My|Our)\b")]
    private static partial Regex StartsInFirstPerson();
}
