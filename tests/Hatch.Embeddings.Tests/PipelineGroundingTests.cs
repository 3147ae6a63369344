using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Extractive;
using Hatch.Writing.Grounding;
using Hatch.Writing.Hatching;
using Hatch.Writing.Themes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Hatch.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class PipelineGroundingTests(MiniLmFixture fixture)
{
    private static readonly Highlight[] Highlights =
    [
        Make("The Sleeping Brain", "Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake."),
        Make("The Sleeping Brain", "Caffeine in the late afternoon cuts the amount of deep sleep, even when people fall asleep at their usual time."),
        Make("Practice That Lasts", "Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick."),
        Make("Practice That Lasts", "Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming."),
    ];

    /// <summary>A model's reply: everything cited, one sentence with a statistic no highlight states.</summary>
    private sealed class ScriptedWriter : IArticleWriter
    {
        public string Name => "Scripted";

        public Task<WrittenArticle> WriteAsync(ArticleRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new WrittenArticle(new Article(
                "Memory is made at night and under effort",
                "Sleeping after study leaves students remembering about forty percent more [1].",
                [
                    new ArticleSection("Sleep keeps what the day learned", "A late coffee cuts deep sleep even if you fall asleep on time [2]. Students who sleep eight hours score 25 percent higher on exams [1].", [1, 2]),
                    new ArticleSection("Effort makes memories last", "Testing yourself beats rereading [3]. Spaced sessions feel slower but last longer than cramming [4].", [3, 4]),
                ],
                [
                    new AdviceItem("Test yourself", "Pull answers from memory instead of rereading [3].", [3]),
                    new AdviceItem("Space your sessions", "Spread study over several days rather than cramming [4].", [4]),
                    new AdviceItem("Protect deep sleep", "Skip caffeine in the late afternoon [2].", [2]),
                ],
                "Sleep and effortful recall both decide what stays.",
                1), new DraftProvenance { Writer = Name }));
    }

    private ArticlePipeline Pipeline(IArticleWriter writer, IEmbeddingGenerator<string, Embedding<float>> embeddings) =>
        new(writer, new HighlightSelector(), TimeProvider.System, new GroundingChecker(embeddings, Options.Create(new GroundingOptions())));

    [Fact]
    public async Task ADraftCarriesItsGroundingReportInItsStoredProvenance()
    {
        var document = await Pipeline(new ScriptedWriter(), fixture.Generator).HatchAsync(Highlights, new HatchOptions());

        var grounding = document.Provenance.Grounding;
        Assert.NotNull(grounding);
        var flag = Assert.Single(grounding.Unsupported);
        Assert.Equal("sections[0]", flag.Part);
        Assert.Equal("Students who sleep eight hours score 25 percent higher on exams [1].", flag.Sentence);
        Assert.Equal(grounding.Checked - 1, grounding.Supported);

        // As the draft row stores it and the API returns it.
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(document.Provenance, HatchJson.Options));
        var stored = json.RootElement.GetProperty("grounding");
        Assert.Equal(grounding.Checked, stored.GetProperty("checked").GetInt32());
        var unsupported = stored.GetProperty("unsupported")[0];
        Assert.Equal("sections[0]", unsupported.GetProperty("part").GetString());
        Assert.Equal(1, unsupported.GetProperty("citations")[0].GetInt32());
        Assert.True(unsupported.GetProperty("score").GetDouble() < GroundingOptions.DefaultThreshold);
        var read = JsonSerializer.Deserialize<DraftProvenance>(json.RootElement.GetRawText(), HatchJson.Options)!.Grounding;
        Assert.Equal(flag, Assert.Single(read!.Unsupported) with { Citations = flag.Citations });
    }

    [Fact]
    public async Task AnExtractiveDraftThroughThePipelineHasNoUnsupportedSentences()
    {
        var document = await Pipeline(new ExtractiveArticleWriter(TimeProvider.System, fixture.Generator), fixture.Generator)
            .HatchAsync(Highlights, new HatchOptions());

        Assert.NotNull(document.Provenance.Grounding);
        Assert.True(document.Provenance.Grounding.Checked > 0);
        Assert.Empty(document.Provenance.Grounding.Unsupported);
    }

    [Fact]
    public async Task WithWordVectorsOnlyTheDraftIsLeftUnchecked()
    {
        var document = await Pipeline(new ScriptedWriter(), new LexicalEmbeddingGenerator()).HatchAsync(Highlights, new HatchOptions());

        Assert.Null(document.Provenance.Grounding);
    }

    private static Highlight Make(string source, string text) => new() { Text = text, Source = new HighlightSource(source) };
}
