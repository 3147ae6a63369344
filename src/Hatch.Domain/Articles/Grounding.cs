namespace Hatch.Domain.Articles;

/// <summary>
/// How well an article's sentences stand on the highlights they cite: how many were checked, how many were
/// supported, and each one that was not, so an editor can see what the writer added beyond the reader's sources.
/// </summary>
public sealed record GroundingReport(int Checked, int Supported, IReadOnlyList<UnsupportedSentence> Unsupported)
{
    public static GroundingReport Empty { get; } = new(0, 0, []);
}

/// <summary>One sentence the highlights it cites do not support.</summary>
/// <param name="Part">Where it is: "overview", "sections[1]", "advice[0]" or "conclusion".</param>
/// <param name="Sentence">The sentence as written, citation markers included.</param>
/// <param name="Citations">The highlights it was checked against: its own markers, or its paragraph's when it has none.</param>
/// <param name="Score">0..1; below the configured threshold counts as unsupported.</param>
public sealed record UnsupportedSentence(string Part, string Sentence, IReadOnlyList<int> Citations, double Score);
