using System.Text.Json;
using Hatch.Domain.Articles;

namespace Hatch.Domain.Tests.Articles;

/// <summary>Provenance is stored as JSON beside each draft: drafts written before a field existed must still load.</summary>
public sealed class ProvenanceJsonTests
{
    [Fact]
    public void ProvenanceStoredBeforePipelineStepsExistedStillLoadsWithoutThem()
    {
        const string stored = """
            { "writer": "OpenAICompatible", "model": "gpt-test", "template": "Hatch/Article", "templateHash": "abc",
              "highlightsConsidered": 3, "highlightsUsed": 3, "promptTokens": 100, "completionTokens": 50, "latencyMs": 12,
              "attempts": 1, "createdAt": "2026-11-30T10:00:00+00:00",
              "grounding": { "checked": 9, "supported": 8, "unsupported": [ { "part": "sections[0]", "sentence": "S [1].", "citations": [1], "score": 0.2 } ] } }
            """;

        var provenance = JsonSerializer.Deserialize<DraftProvenance>(stored, HatchJson.Options)!;

        Assert.Null(provenance.Pipeline);
        Assert.Null(provenance.Steps);
        Assert.Equal(8, provenance.Grounding!.Supported);
    }

    [Fact]
    public void StepsRoundTripAndAbsentOnesAreNotWritten()
    {
        var provenance = new DraftProvenance
        {
            Writer = "OpenAICompatible",
            Pipeline = "Planned",
            Steps = [new PipelineStep("plan", "Hatch/Plan", "hash", 100, 50, 500, 1), new PipelineStep("check", null, null, 0, 0, 200, 0, "0 of 9 sentences unsupported")],
        };

        var json = JsonSerializer.Serialize(provenance, HatchJson.Options);
        var back = JsonSerializer.Deserialize<DraftProvenance>(json, HatchJson.Options)!;

        Assert.Equal(provenance.Steps, back.Steps);
        Assert.Equal("Planned", back.Pipeline);
        Assert.DoesNotContain("\"pipeline\"", JsonSerializer.Serialize(provenance with { Pipeline = null, Steps = null }, HatchJson.Options));
    }
}
