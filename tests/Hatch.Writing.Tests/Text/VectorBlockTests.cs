using Hatch.Writing.Text;

namespace Hatch.Writing.Tests.Text;

public sealed class VectorBlockTests
{
    private static float[] Unit(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var i = 0; i < dimensions; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return VectorMath.Normalize(v);
    }

    private static float[] Near(float[] centre, Random random, double noise) =>
        VectorMath.Normalize(centre.Select(x => x + (float)((random.NextDouble() * 2 - 1) * noise)).ToArray());

    /// <summary>
    /// Rows spread at random, tight clusters (many cosines close together near the top, where the 8-bit error bound
    /// matters), exact copies (ties) and a zero vector.
    /// </summary>
    private static (VectorBlock Block, List<float[]> Rows) Library(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 8).Select(_ => Unit(random, dimensions)).ToArray();
        var rows = new List<float[]>(count);
        for (var i = 0; i < count; i++)
            rows.Add((i % 5) switch
            {
                0 => Near(centres[random.Next(centres.Length)], random, 0.02),
                1 when i > 10 => rows[random.Next(i)].ToArray(),
                _ => Unit(random, dimensions),
            });
        rows[7] = new float[dimensions];
        // Appended in pieces, as the index grows with embedding batches.
        var block = VectorBlock.Empty(dimensions);
        foreach (var chunk in rows.Select((r, i) => (Guid.NewGuid(), r)).Chunk(1000)) block = block.Append(chunk);
        return (block, rows);
    }

    [Theory]
    [InlineData(384, 1)]
    [InlineData(384, 2)]
    [InlineData(45, 3)] // not a multiple of 32: the integer dot product's tail
    public void TheTwoPassScanRanksExactlyAsTheScanOfTheFloatsWhileRescoringFewRows(int dimensions, int seed)
    {
        var (block, rows) = Library(6000, dimensions, seed);
        var random = new Random(seed + 100);
        var queries = new List<float[]> { Unit(random, dimensions), rows[3].ToArray(), Near(rows[10], random, 0.01), rows[11], new float[dimensions] };
        Func<int, bool>?[] filters = [null, row => row % 2 == 0, row => row % 97 == 3];
        var rescoredAtTopFive = new List<int>();

        foreach (var query in queries)
        foreach (var include in filters)
        foreach (var k in new[] { 1, 5, 50, 6000 })
        foreach (var minScore in new[] { float.MinValue, 0.3f, 0.999f })
        {
            var expected = block.NearestExact(query, k, minScore, include);
            var actual = block.NearestQuantized(query, k, minScore, include, out var rescored, partitions: 1);
            Assert.Equal(expected, actual);
            // The first pass split over threads (as on a large block) finds the same rows and rescores no more.
            Assert.Equal(expected, block.NearestQuantized(query, k, minScore, include, out var rescoredInParts, partitions: 3));
            Assert.Equal(rescored, rescoredInParts);
            if (k == 5 && include is null && minScore == float.MinValue) rescoredAtTopFive.Add(rescored);
        }

        // The point of the first pass: for a handful of results only a small part of the rows needs its exact cosine
        // (the zero query ties everything, so it rescans all).
        Assert.All(rescoredAtTopFive.Take(4), rescored => Assert.InRange(rescored, 5, block.Count / 5));
    }

    [Fact]
    public void ABlockLargeEnoughForTheTwoPassScanAnswersNearestThroughIt()
    {
        var (block, rows) = Library(VectorBlock.QuantizedScanFrom + 10, 384, 9);
        var nearest = block.Nearest(rows[20], 3);
        Assert.Equal(20, nearest[0].Row);
        Assert.Equal(block.NearestExact(rows[20], 3), nearest);
    }
}
