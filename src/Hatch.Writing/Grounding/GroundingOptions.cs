using System.ComponentModel.DataAnnotations;

namespace Hatch.Writing.Grounding;

/// <summary>Where the grounding check draws the line between a supported and an unsupported sentence.</summary>
public sealed class GroundingOptions
{
    public const string SectionName = "Hatch:Llm:Grounding";

    /// <summary>
    /// Scores below this are unsupported. Chosen on the hand-labelled evaluation set with MiniLM (docs/llm.md,
    /// "Grounding check"); another embedding model spreads its cosines differently and needs its own measurement.
    /// </summary>
    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = DefaultThreshold;

    public const double DefaultThreshold = 0.5;
}
