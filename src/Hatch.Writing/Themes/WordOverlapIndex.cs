using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Hatch.Writing.Themes;

/// <summary>One indexed passage whose word overlap with a probe reaches the threshold.</summary>
public readonly record struct WordOverlapMatch(int Index, double Overlap);

/// <summary>
/// The word sets of an import's new highlights, indexed so that passages streamed past it (a whole library) find the
/// new ones sharing most of their words (Jaccard ≥ <see cref="MinOverlap"/>, <see cref="NearDuplicates"/>'s rule)
/// without comparing every pair: prefix filtering with the positional filter of PPJoin (Xiao, Wang, Lin, Yu,
/// "Efficient similarity joins for near duplicate detection", WWW 2008). Exact: it finds what
/// <see cref="NearDuplicates.Jaccard"/> over every pair finds, with the same overlap.
/// </summary>
/// <remarks>
/// Words are ranked rarest first among the indexed passages, so a probe's prefix mostly holds words no new highlight
/// has, and the candidates that do meet are pruned as soon as the words left cannot reach the overlap. Words are
/// <see cref="NearDuplicates.Words"/>'s; a probe's words are looked up as spans, so a library streamed past the index
/// allocates no word strings except those the import does not have. The index is read-only once built: probes from
/// several threads each use their own <see cref="Prober"/> (its scratch space); <see cref="Match"/> and
/// <see cref="MatchEarlier"/> on the index itself share one and are not thread-safe.
/// </remarks>
public sealed class WordOverlapIndex
{
    private const int Pruned = -1;

    /// <summary>A passage with a word in its prefix: which one, where the word sits in it, and how many words it has.</summary>
    private readonly record struct Posting(int Item, int Position, int Size);

    private readonly Dictionary<string, int> _rankOf;
    private readonly int[][] _ranks; // each indexed passage's words as ranks, ascending
    private readonly List<Posting>[] _postings; // by rank: the passages with that word in their prefix, ascending
    private readonly List<int> _withoutWords = [];
    private readonly int _mostWords; // the most words an indexed passage has
    private readonly Prober _shared;

    public WordOverlapIndex(IReadOnlyList<string> texts, double minOverlap = NearDuplicates.DefaultMinWordOverlap)
    {
        MinOverlap = minOverlap;
        var words = texts.Select(NearDuplicates.Words).ToArray();
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var set in words) foreach (var w in set) frequency[w] = frequency.GetValueOrDefault(w) + 1;
        var vocabulary = frequency.Keys.ToArray();
        Array.Sort(vocabulary, (a, b) => frequency[a] != frequency[b] ? frequency[a].CompareTo(frequency[b]) : string.CompareOrdinal(a, b));
        _rankOf = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (var r = 0; r < vocabulary.Length; r++) _rankOf[vocabulary[r]] = r;

        _postings = new List<Posting>[vocabulary.Length];
        _ranks = new int[words.Length][];
        for (var i = 0; i < words.Length; i++)
        {
            var ranks = words[i].Select(w => _rankOf[w]).ToArray();
            Array.Sort(ranks);
            _ranks[i] = ranks;
            _mostWords = Math.Max(_mostWords, ranks.Length);
            if (ranks.Length == 0) _withoutWords.Add(i);
            for (var p = 0; p < PrefixLength(ranks.Length); p++)
                (_postings[ranks[p]] ??= []).Add(new Posting(i, p, ranks.Length));
        }
        _shared = new Prober(this);
    }

    public double MinOverlap { get; }

    public int Count => _ranks.Length;

    /// <summary>How many distinct words indexed passage <paramref name="index"/> has.</summary>
    public int WordCount(int index) => _ranks[index].Length;

    /// <summary>The indexed passages whose words overlap <paramref name="text"/>'s enough, in ascending order.</summary>
    public void Match(string text, List<WordOverlapMatch> matches) => _shared.Match(text, matches);

    /// <summary>The indexed passages before <paramref name="index"/> whose words overlap its words enough, in ascending order.</summary>
    public void MatchEarlier(int index, List<WordOverlapMatch> matches) => _shared.MatchEarlier(index, matches);

    /// <summary>Scratch space for probes of one thread at a time; as many as there are threads probing at once.</summary>
    public Prober CreateProber() => new(this);

    /// <summary>Probes the index; one per thread (the index itself is shared read-only).</summary>
    public sealed class Prober
    {
        private readonly WordOverlapIndex _index;
        private readonly int[] _overlap;
        private readonly int[] _neededBySize;
        private readonly List<int> _touched = [];
        private readonly List<int> _probeRanks = [];
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _rankOf;
        private readonly HashSet<string> _otherWords = new(StringComparer.Ordinal);
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _otherWordsSpan;
        private char[] _word = new char[64];

        internal Prober(WordOverlapIndex index)
        {
            _index = index;
            _overlap = new int[index._ranks.Length];
            _neededBySize = new int[index._mostWords + 1];
            _rankOf = index._rankOf.GetAlternateLookup<ReadOnlySpan<char>>();
            _otherWordsSpan = _otherWords.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        /// <inheritdoc cref="WordOverlapIndex.Match"/>
        public void Match(string text, List<WordOverlapMatch> matches)
        {
            matches.Clear();
            var absent = ReadProbe(text);
            Probe(CollectionsMarshal.AsSpan(_probeRanks), absent, int.MaxValue, matches);
        }

        /// <inheritdoc cref="WordOverlapIndex.MatchEarlier"/>
        public void MatchEarlier(int index, List<WordOverlapMatch> matches)
        {
            matches.Clear();
            Probe(_index._ranks[index], 0, index, matches);
        }

        /// <summary>Sets <see cref="_probeRanks"/> to the text's known words as ranks, ascending; returns how many distinct words the index does not know.</summary>
        private int ReadProbe(string text)
        {
            _probeRanks.Clear();
            _otherWords.Clear();
            var length = 0;
            // The same words as NearDuplicates.Words: letters and digits lower-cased, apostrophes dropped inside a word.
            foreach (var ch in text.Normalize(NormalizationForm.FormKC))
            {
                if (char.IsLetterOrDigit(ch))
                {
                    if (length == _word.Length) Array.Resize(ref _word, length * 2);
                    _word[length++] = char.ToLower(ch, CultureInfo.InvariantCulture);
                }
                else if (length > 0 && ch is not '\'' and not '’') { AddWord(_word.AsSpan(0, length)); length = 0; }
            }
            if (length > 0) AddWord(_word.AsSpan(0, length));

            _probeRanks.Sort();
            var distinct = 0;
            for (var k = 0; k < _probeRanks.Count; k++)
                if (k == 0 || _probeRanks[k] != _probeRanks[k - 1]) _probeRanks[distinct++] = _probeRanks[k];
            _probeRanks.RemoveRange(distinct, _probeRanks.Count - distinct);
            return _otherWords.Count;

            void AddWord(ReadOnlySpan<char> word)
            {
                if (_rankOf.TryGetValue(word, out var rank)) _probeRanks.Add(rank);
                else _otherWordsSpan.Add(word);
            }
        }

        /// <summary>
        /// A probe of <paramref name="known"/> words (ranks, ascending) and <paramref name="unknown"/> distinct words the
        /// index lacks, which rank before every known word (they meet nothing, but count in the probe's size).
        /// </summary>
        private void Probe(ReadOnlySpan<int> known, int unknown, int before, List<WordOverlapMatch> matches)
        {
            var minOverlap = _index.MinOverlap;
            var size = known.Length + unknown;
            if (size == 0)
            {
                // Two passages without words meet (their overlap counts as 1), as in NearDuplicates.Jaccard.
                foreach (var i in _index._withoutWords)
                    if (i < before) matches.Add(new WordOverlapMatch(i, 1));
                return;
            }
            var prefix = _index.PrefixLength(size);
            // Jaccard ≥ t needs t·|x| ≤ |y| ≤ |x|/t and an overlap of at least t/(1+t)·(|x|+|y|): the sizes allowed and
            // the overlap each needs, worked out once per probe rather than once per posting met.
            var fewest = (int)Math.Ceiling(minOverlap * size - 1e-9);
            var needed = _neededBySize.AsSpan(0, Math.Min((int)Math.Floor(size / minOverlap + 1e-9), _index._mostWords) + 1);
            for (var other = fewest; other < needed.Length; other++)
                needed[other] = (int)Math.Ceiling(minOverlap / (1 + minOverlap) * (size + other) - 1e-9);

            for (var k = 0; k < known.Length && unknown + k < prefix; k++)
            {
                var postings = _index._postings[known[k]];
                if (postings is null) continue;
                var wordsLeft = size - (unknown + k) - 1;
                foreach (var (i, p, other) in CollectionsMarshal.AsSpan(postings))
                {
                    if (i >= before) break;
                    if (other < fewest || other >= needed.Length) continue;
                    var seen = _overlap[i];
                    if (seen == Pruned) continue;
                    if (seen == 0) _touched.Add(i);
                    // The words shared so far, this one, and at most the fewer of the words left on either side.
                    _overlap[i] = seen + 1 + Math.Min(other - p - 1, wordsLeft) >= needed[other] ? seen + 1 : Pruned;
                }
            }

            // Verified in the order met (most are pruned), and only the few matches put in ascending order.
            foreach (var i in CollectionsMarshal.AsSpan(_touched))
            {
                if (_overlap[i] != Pruned)
                {
                    var ranks = _index._ranks[i];
                    var shared = Shared(ranks, known);
                    var overlap = shared / (double)(ranks.Length + size - shared);
                    if (overlap >= minOverlap) matches.Add(new WordOverlapMatch(i, overlap));
                }
                _overlap[i] = 0;
            }
            _touched.Clear();
            if (matches.Count > 1) matches.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        }
    }

    private static int Shared(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var (x, y, shared) = (0, 0, 0);
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { shared++; x++; y++; }
            else if (a[x] < b[y]) x++;
            else y++;
        }
        return shared;
    }

    /// <summary>Two sets with Jaccard ≥ t share a word among the first |x| − ⌈t·|x|⌉ + 1 of each in one order.</summary>
    private int PrefixLength(int size) => size == 0 ? 0 : Math.Clamp(size - (int)Math.Ceiling(MinOverlap * size - 1e-9) + 1, 1, size);
}
