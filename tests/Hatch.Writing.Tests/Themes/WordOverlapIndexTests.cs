using Hatch.Writing.Themes;

namespace Hatch.Writing.Tests.Themes;

public sealed class WordOverlapIndexTests
{
    // A few common words and a long tail, so passages share their common words and now and then most of their words.
    private static readonly string[] Common = ["the", "a", "of", "and", "memory", "sleep", "habit", "trust", "don't", "Straße", "ﬁle"];

    private static string Passage(Random random)
    {
        var count = random.Next(8) == 0 ? random.Next(3) : 4 + random.Next(20);
        return string.Join(random.Next(4) == 0 ? ", " : " ", Enumerable.Range(0, count).Select(_ =>
            random.Next(3) == 0 ? $"w{random.Next(400)}" : Common[random.Next(Common.Length)]));
    }

    /// <summary>A passage with one or two words changed, dropped or added: the pairs the threshold is about.</summary>
    private static string Edited(string text, Random random)
    {
        var words = text.Split(' ').ToList();
        for (var edits = 1 + random.Next(2); edits > 0; edits--)
        {
            switch (random.Next(3))
            {
                case 0 when words.Count > 0: words[random.Next(words.Count)] = $"x{random.Next(50)}"; break;
                case 1 when words.Count > 1: words.RemoveAt(random.Next(words.Count)); break;
                default: words.Insert(random.Next(words.Count + 1), $"y{random.Next(50)}"); break;
            }
        }
        return string.Join(' ', words);
    }

    [Theory]
    [InlineData(0.6, 1)]
    [InlineData(0.6, 2)]
    [InlineData(0.8, 3)]
    [InlineData(0.3, 4)]
    public void FindsExactlyThePairsThatComparingEveryPairFindsWithTheSameOverlap(double threshold, int seed)
    {
        var random = new Random(seed);
        var library = Enumerable.Range(0, 600).Select(_ => Passage(random)).ToArray();
        var incoming = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? Edited(library[random.Next(library.Length)], random)
            : i % 3 == 1 && i > 10 ? Edited(library[random.Next(library.Length)], random).ToUpperInvariant()
            : Passage(random)).ToArray();
        var index = new WordOverlapIndex(incoming, threshold);
        var matches = new List<WordOverlapMatch>();

        var expectedPairs = 0;
        foreach (var text in library)
        {
            var expected = Enumerable.Range(0, incoming.Length)
                .Select(i => new WordOverlapMatch(i, NearDuplicates.Jaccard(NearDuplicates.Words(incoming[i]), NearDuplicates.Words(text))))
                .Where(m => m.Overlap >= threshold).ToArray();
            index.Match(text, matches);
            Assert.Equal(expected, matches);
            expectedPairs += expected.Length;
        }
        for (var i = 0; i < incoming.Length; i++)
        {
            var expected = Enumerable.Range(0, i)
                .Select(j => new WordOverlapMatch(j, NearDuplicates.Jaccard(NearDuplicates.Words(incoming[j]), NearDuplicates.Words(incoming[i]))))
                .Where(m => m.Overlap >= threshold).ToArray();
            index.MatchEarlier(i, matches);
            Assert.Equal(expected, matches);
        }
        // The data has matches to find, and not everything matches (a filter that dropped or kept everything fails).
        Assert.InRange(expectedPairs, 100, library.Length * incoming.Length / 10);
    }

    [Fact]
    public void ProbersOnSeveralThreadsAtOnceFindWhatOneThreadFinds()
    {
        var random = new Random(5);
        var library = Enumerable.Range(0, 20_000).Select(_ => Passage(random)).ToArray();
        var incoming = Enumerable.Range(0, 2000).Select(i => i % 2 == 0 ? Edited(library[random.Next(library.Length)], random) : Passage(random)).ToArray();
        var index = new WordOverlapIndex(incoming);
        var one = new List<WordOverlapMatch>();
        var expected = library.Select(text => { index.Match(text, one); return one.ToArray(); }).ToArray();

        // Each thread its own prober, all probing the one index at once (the near-duplicate check's batches).
        var found = new WordOverlapMatch[library.Length][];
        using var probers = new ThreadLocal<(WordOverlapIndex.Prober Prober, List<WordOverlapMatch> Matches)>(() => (index.CreateProber(), []));
        Parallel.For(0, library.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var (prober, matches) = probers.Value;
            prober.Match(library[k], matches);
            found[k] = matches.ToArray();
        });

        Assert.True(expected.Sum(m => m.Length) > 100, "the data has matches to find");
        for (var k = 0; k < library.Length; k++) Assert.Equal(expected[k], found[k]);
    }

    [Fact]
    public void PassagesWithoutWordsMeetEachOtherAndNothingElse()
    {
        var index = new WordOverlapIndex(["— …", "memory and sleep", "!!"]);
        var matches = new List<WordOverlapMatch>();

        index.Match("...", matches);
        Assert.Equal([new(0, 1), new(2, 1)], matches);
        index.MatchEarlier(2, matches);
        Assert.Equal([new WordOverlapMatch(0, 1)], matches);
        index.Match("Memory and sleep!", matches);
        Assert.Equal([new WordOverlapMatch(1, 1)], matches);
        index.Match("memory and sleep and habits, twice over", matches);
        Assert.Empty(matches);
    }
}
