using Hatch.Writing.Text;

namespace Hatch.Writing.Themes;

/// <summary>The highlights nearest in meaning to one highlight, or to a draft section (the centre of its highlights).</summary>
public static class RelatedHighlights
{
    /// <summary>Below this a MiniLM neighbour shares little more than the language; showing it would be noise.</summary>
    public const float DefaultMinScore = 0.3f;

    /// <summary>
    /// Cosine at or above which two vectors are the same passage (re-imported, or quoted twice): never "related".
    /// </summary>
    public const float SameTextScore = 0.995f;

    public static IReadOnlyList<RelatedHighlight> For(
        EmbeddedHighlight highlight, IReadOnlyList<EmbeddedHighlight> library, int count = 5, float minScore = DefaultMinScore) =>
        Nearest(highlight.Vector, library, new HashSet<Guid> { highlight.Id }, [highlight.Text], count, minScore);

    /// <summary>Beside a draft section: nearest to the centre of the section's highlights, none of them repeated.</summary>
    public static IReadOnlyList<RelatedHighlight> ForGroup(
        IReadOnlyList<EmbeddedHighlight> group, IReadOnlyList<EmbeddedHighlight> library, int count = 5, float minScore = DefaultMinScore)
    {
        if (group.Count == 0) return [];
        var centre = VectorMath.Centroid(group.Select(g => g.Vector).ToArray(), Enumerable.Range(0, group.Count), group[0].Vector.Length);
        return Nearest(centre, library, group.Select(g => g.Id).ToHashSet(), group.Select(g => g.Text).ToArray(), count, minScore);
    }

    /// <summary>
    /// Top <paramref name="count"/> by cosine, best first, leaving out the excluded ids, passages whose text or
    /// vector is the same as an excluded one's, and later copies of a passage already listed.
    /// </summary>
    public static IReadOnlyList<RelatedHighlight> Nearest(
        float[] query, IReadOnlyList<EmbeddedHighlight> library, IReadOnlySet<Guid> excludeIds, IReadOnlyList<string> excludeTexts,
        int count = 5, float minScore = DefaultMinScore)
    {
        if (count <= 0 || library.Count == 0) return [];
        var scores = new float[library.Count];
        for (var i = 0; i < library.Count; i++) scores[i] = VectorMath.Cosine(query, library[i].Vector);

        var best = VectorMath.TopK(scores, OverFetch(count, excludeIds.Count), i => !excludeIds.Contains(library[i].Id) && scores[i] >= minScore);
        return Pick(best.Select(i => (library[i], scores[i])), excludeIds.Count, excludeTexts, count);
    }

    /// <summary>How many nearest candidates to rank: some of the best are copies of the query or of each other and will be skipped.</summary>
    public static int OverFetch(int count, int excluded) => count * 4 + excluded;

    /// <summary>
    /// From candidates best first (already without the excluded ids and below-threshold scores), the first
    /// <paramref name="count"/> that are not the same passage as an excluded one or as one already chosen.
    /// </summary>
    public static IReadOnlyList<RelatedHighlight> Pick(
        IEnumerable<(EmbeddedHighlight Candidate, float Score)> bestFirst, int excludedCount, IReadOnlyList<string> excludeTexts, int count)
    {
        var seenTexts = excludeTexts.Select(NearDuplicates.Canonical).ToHashSet(StringComparer.Ordinal);
        var result = new List<RelatedHighlight>(count);
        var chosenVectors = new List<float[]>(count);
        foreach (var (candidate, score) in bestFirst)
        {
            if (result.Count == count) break;
            if (score >= SameTextScore && excludedCount == 1) continue;
            if (!seenTexts.Add(NearDuplicates.Canonical(candidate.Text))) continue;
            if (chosenVectors.Any(v => VectorMath.Cosine(v, candidate.Vector) >= SameTextScore)) continue;
            result.Add(new RelatedHighlight(candidate.Id, score));
            chosenVectors.Add(candidate.Vector);
        }
        return result;
    }
}
