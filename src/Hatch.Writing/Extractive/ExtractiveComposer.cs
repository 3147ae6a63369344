using System.Text;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;

namespace Hatch.Writing.Extractive;

/// <summary>
/// One run of the extractive writer. Highlights are processed in a canonical order (by content hash), so the
/// same set of highlights gives the same article whatever order it arrives in; only the citation numbers,
/// which belong to the request, differ.
/// </summary>
internal sealed partial class ExtractiveComposer
{
    /// <summary>Clustering and LexRank are quadratic; beyond this many highlights the least central are not read.</summary>
    public const int MaxHighlightsRead = 300;
    public const int MaxSentencesPerHighlight = 12;
    public const int MaxThemes = 5;

    private readonly CancellationToken _cancellationToken;
    private readonly ArticleOptions _options;
    private readonly List<Item> _items;
    private readonly List<Sentence> _sentences = [];
    private readonly HashSet<Sentence> _placed = [];
    private readonly string? _leftOut;
    private TfIdfModel _model = null!;

    // Classes, not records: these are identities (sets of placed sentences), and value equality would hash whole highlights.
    private sealed class Item(int index, int number, Highlight highlight)
    {
        public int Index { get; } = index;
        public int Number { get; } = number;
        public Highlight Highlight { get; } = highlight;
        public List<Token> Tokens { get; } = [];
        public SparseVector Vector { get; set; }
        public List<Sentence> Sentences { get; } = [];
    }

    private sealed class Sentence(Item item, int position, string text, bool fromNote, int words)
    {
        public Item Item { get; } = item;
        public int Position { get; } = position;
        public string Text { get; } = text;
        public bool FromNote { get; } = fromNote;
        public int Words { get; } = words;
        public List<string> Stems { get; init; } = [];
        public SparseVector Vector { get; set; }
        public bool IsPrescriptive { get; init; }
    }

    private sealed class Theme(int[] members, double[] centroid)
    {
        public int[] Members { get; } = members;
        public double[] Centroid { get; } = centroid;
        public string Heading { get; set; } = "";
        public string Name { get; set; } = "";
        public KeyPhrase? Lead { get; set; }
    }

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

    /// <summary>The texts this run reads, in its canonical order: what to embed for <see cref="Compose"/>.</summary>
    public IReadOnlyList<string> TextsRead => _items.Select(i => i.Highlight.Text).ToArray();

    /// <summary>Content hashes parallel to <see cref="TextsRead"/>, to look up stored vectors instead of embedding again.</summary>
    public IReadOnlyList<string> HashesRead => _items.Select(i => i.Highlight.ContentHash).ToArray();

    /// <param name="embeddings">Unit vectors parallel to <see cref="TextsRead"/> to group by meaning; null groups by shared words.</param>
    public (Article Article, string? LeftOut) Compose(IReadOnlyList<float[]>? embeddings = null)
    {
        Analyse();
        _cancellationToken.ThrowIfCancellationRequested();
        var themes = FindThemes(embeddings is not null && embeddings.Count == _items.Count ? embeddings : null);
        _cancellationToken.ThrowIfCancellationRequested();
        NameThemes(themes);

        var overview = WriteOverview();
        var advice = CollectAdvice();
        var sections = themes.Select(WriteSection).ToArray();
        _cancellationToken.ThrowIfCancellationRequested();

        var article = new Article(Title(themes), overview, sections, advice, Conclusion(themes, advice.Count), 0);
        return (article with { ReadingMinutes = ReadingTime.Minutes(article) }, _leftOut);
    }

    // ---------- analysis ----------

    private void Analyse()
    {
        foreach (var item in _items)
        {
            var position = 0;
            foreach (var text in SentenceSplitter.Split(item.Highlight.Text).Take(MaxSentencesPerHighlight))
            {
                var tokens = Tokenizer.Tokenize(text);
                item.Tokens.AddRange(tokens);
                var sentence = NewSentence(item, position++, text, fromNote: false, tokens);
                item.Sentences.Add(sentence);
                _sentences.Add(sentence);
            }
            foreach (var text in SentenceSplitter.Split(item.Highlight.Note).Take(MaxSentencesPerHighlight))
                if (Prescriptive.IsPrescriptive(text))
                    _sentences.Add(NewSentence(item, position++, text, fromNote: true, Tokenizer.Tokenize(text)));
        }

        _model = TfIdfModel.Fit(_items.Select(i => (IReadOnlyList<string>)i.Tokens.Where(t => t.IsContent).Select(t => t.Stem!).ToArray()).ToArray());
        foreach (var item in _items)
            item.Vector = _model.Vectorize(item.Tokens.Where(t => t.IsContent).Select(t => t.Stem!).ToArray());
        foreach (var sentence in _sentences)
            sentence.Vector = _model.Vectorize(sentence.Stems);
    }

    private static Sentence NewSentence(Item item, int position, string text, bool fromNote, List<Token> tokens) =>
        new(item, position, Clean(text), fromNote, tokens.Count)
        {
            Stems = tokens.Where(t => t.IsContent).Select(t => t.Stem!).ToList(),
            IsPrescriptive = Prescriptive.IsPrescriptive(text),
        };

    private List<Theme> FindThemes(IReadOnlyList<float[]>? embeddings)
    {
        var vectors = _items.Select(i => i.Vector).ToArray();
        int[] centrality;
        int[][] groups;
        var n = _items.Count;
        if (embeddings is not null)
        {
            // Grouped by meaning, so a section can join passages from different sources; sentences are still
            // ranked and headings still named by words (the TF-IDF centroid below), which is what they quote.
            (groups, centrality) = ThemeGrouper.Cluster(embeddings, MaxThemes);
        }
        else
        {
            centrality = CentralityRanker.Rank(vectors, _model.TermCount);
            groups = ThemeClustering.Cluster(vectors, _model.TermCount, minK: Math.Min(2, n), maxK: Math.Min(MaxThemes, n), centrality[0]);
        }

        var rankOf = new int[n];
        for (var r = 0; r < centrality.Length; r++) rankOf[centrality[r]] = r;
        return groups
            .OrderByDescending(g => g.Length)
            .ThenBy(g => g.Min(i => rankOf[i]))
            .Select(g => new Theme(g.Order().ToArray(), TfIdfModel.Centroid(vectors, g, _model.TermCount)))
            .ToList();
    }

    private void NameThemes(List<Theme> themes)
    {
        var tokens = _items.Select(i => (IReadOnlyList<Token>)i.Tokens).ToArray();
        var phrases = KeyPhrases.ForGroups(tokens, themes.Select(t => (IReadOnlyList<int>)t.Members).ToArray(), perGroup: 6);
        var headings = KeyPhrases.Headings(phrases);
        for (var t = 0; t < themes.Count; t++)
        {
            themes[t].Heading = headings[t].Heading;
            themes[t].Name = headings[t].Lead?.Text ?? "the remaining passages";
            themes[t].Lead = headings[t].Lead;
        }
    }

    // ---------- parts of the article ----------

    private int Quota(int shortCount, int mediumCount, int longCount) => _options.Length switch
    {
        "short" => shortCount,
        "long" => longCount,
        _ => mediumCount,
    };

    private string WriteOverview()
    {
        var candidates = _sentences.Where(s => !s.FromNote).ToArray();
        var order = CentralityRanker.Rank(candidates.Select(s => s.Vector).ToArray(), _model.TermCount);
        var chosen = Pick(order.Select(i => candidates[i]), Quota(2, 3, 4), perHighlight: 1, maxSimilarity: 0.5, allowPlaced: false);
        if (chosen.Count == 0) chosen = Pick(order.Select(i => candidates[i]), 1, 1, 1.0, allowPlaced: true);
        return string.Join(' ', chosen.Select(Cite));
    }

    private IReadOnlyList<AdviceItem> CollectAdvice()
    {
        var centroid = TfIdfModel.Centroid(_items.Select(i => i.Vector).ToArray(), Enumerable.Range(0, _items.Count), _model.TermCount);
        // The reader's own notes come first: they are what the reader meant to act on.
        var ranked = _sentences
            .Where(s => s.IsPrescriptive)
            .OrderByDescending(s => s.FromNote)
            .ThenByDescending(s => s.Vector.Dot(centroid) * LengthFactor(s))
            .ThenBy(s => s.Item.Index)
            .ThenBy(s => s.Position);
        var chosen = Pick(ranked, Quota(3, 5, Article.MaxAdvice), perHighlight: 1, maxSimilarity: 0.6, allowPlaced: false);
        return chosen
            .Select(s => new AdviceItem(Prescriptive.Title(s.Text), s.Text, [s.Item.Number]))
            .Where(a => a.Title.Length > 0)
            .ToArray();
    }

    private ArticleSection WriteSection(Theme theme)
    {
        var members = theme.Members.Select(i => _items[i]).ToArray();
        var ranked = members
            .SelectMany(m => m.Sentences)
            .OrderByDescending(s => s.Vector.Dot(theme.Centroid) * LengthFactor(s))
            .ThenBy(s => s.Item.Index)
            .ThenBy(s => s.Position)
            .ToArray();
        var quota = Quota(2, 3, 5) + Math.Min(2, members.Length / 6);
        var chosen = Pick(ranked, quota, perHighlight: 2, maxSimilarity: 0.6, allowPlaced: false);
        if (chosen.Count == 0) chosen = Pick(ranked, 1, 1, 1.0, allowPlaced: true);

        var body = new StringBuilder();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (i > 0) body.Append(i % 3 == 0 ? "\n\n" : " ");
            body.Append(Cite(chosen[i]));
        }
        return new ArticleSection(theme.Heading, body.ToString(), chosen.Select(s => s.Item.Number).Distinct().Order().ToArray());
    }

    private string Title(List<Theme> themes)
    {
        // The headings' leads are already distinct in wording, and themes come largest first.
        var leads = themes.Select(t => t.Lead).OfType<KeyPhrase>().Take(3).ToArray();
        var subject = _items.Count == 1 ? null : KeyPhrases.Subject(_items.Select(i => (IReadOnlyList<Token>)i.Tokens).ToArray());
        var title = ArticleTitles.Compose(leads, single: _items.Count == 1, subject);
        // Never hand back a source's own title as the article's.
        if (_items.Any(i => string.Equals(i.Highlight.Source.Title.Trim(), title, StringComparison.OrdinalIgnoreCase)))
            title = "Reading Notes: " + title;
        return title;
    }

    private string Conclusion(List<Theme> themes, int adviceCount)
    {
        var sources = _items.Select(i => i.Highlight.Source.Title.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        var names = themes.Select(t => t.Name).ToArray();
        var text = new StringBuilder();
        if (_items.Count == 1)
            text.Append($"This draft rests on a single highlight, and it centres on {names[0]}.");
        else
            text.Append($"Across {_items.Count} highlights from {Plural(sources, "source")}, your reading keeps returning to "
                + KeyPhrases.JoinList(themes.Select((t, i) => $"{t.Name} ({(i == 0 ? Plural(t.Members.Length, "highlight") : t.Members.Length)})").ToArray()) + ".");

        text.Append(adviceCount > 0
            ? " The advice above is only what your highlights and notes already recommend."
            : " None of these highlights prescribes a course of action, so this draft offers no advice of its own.");
        text.Append(" This draft was assembled offline from your own highlights by Hatch's extractive writer, with no language model: read it as a map of what you marked, with every quoted sentence numbered back to its highlight.");
        return text.ToString();
    }

    // ---------- helpers ----------

    /// <summary>Greedy selection in rank order: skip near-duplicates, cap sentences per highlight, prefer unplaced ones.</summary>
    private List<Sentence> Pick(IEnumerable<Sentence> ranked, int count, int perHighlight, double maxSimilarity, bool allowPlaced)
    {
        var chosen = new List<Sentence>();
        var perItem = new Dictionary<Item, int>();
        foreach (var sentence in ranked)
        {
            if (chosen.Count >= count) break;
            if (!allowPlaced && _placed.Contains(sentence)) continue;
            if (perItem.GetValueOrDefault(sentence.Item) >= perHighlight) continue;
            if (chosen.Any(c => c.Vector.Dot(sentence.Vector) > maxSimilarity || c.Text == sentence.Text)) continue;
            chosen.Add(sentence);
            perItem[sentence.Item] = perItem.GetValueOrDefault(sentence.Item) + 1;
        }
        _placed.UnionWith(chosen);
        return chosen;
    }

    /// <summary>Fragments and run-on passages make poor quotations; damp them rather than exclude them.</summary>
    private static double LengthFactor(Sentence s) => s.Words switch
    {
        < 4 => 0.4,
        < 6 => 0.8,
        > 60 => 0.6,
        _ => 1.0,
    };

    private static string Cite(Sentence sentence)
    {
        var text = sentence.Text;
        if (text.Length > 0 && char.IsLower(text[0])) text = char.ToUpperInvariant(text[0]) + text[1..];
        var marker = $"[{sentence.Item.Number}]";
        var end = text.Length;
        while (end > 0 && text[end - 1] is '.' or '!' or '?' or '…') end--;
        if (end == text.Length)
            return text + (EndsWithCloser(text) ? " " + marker : " " + marker + ".");
        return text[..end] + " " + marker + text[end..];
    }

    private static bool EndsWithCloser(string text) => text.Length > 0 && "\"'”’)]»".Contains(text[^1]);

    /// <summary>Bracketed numbers inside a highlight (a book's own footnotes) would read as Hatch citations.</summary>
    private static string Clean(string text) =>
        BracketedNumbers().Replace(text.Trim(), m => "(" + m.Groups[1].Value + ")");

    [GeneratedRegex(@"\[(\d+(?:\s*[,;]\s*\d+)*)\]")]
    private static partial Regex BracketedNumbers();

    private static string Plural(int count, string noun) => count == 1 ? $"one {noun}" : $"{count} {noun}s";

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
