using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Hatching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Llm.Tests;

/// <summary>
/// Hatch:Llm:Pipeline through the whole pipeline (selection, the real connectors against the fake provider, the
/// MiniLM grounding check): which calls are made, in what order, with which schema, and what the check keeps flagged.
/// </summary>
public sealed class PlannedPipelineTests : IAsyncLifetime
{
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly Highlight[] Highlights =
    [
        Highlight("Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake.", "The Sleeping Brain"),
        Highlight("Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick.", "Practice That Lasts"),
        Highlight("Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming.", "Practice That Lasts"),
    ];

    // Every sentence cites all three, so the tests do not depend on the order the selector numbers them in.
    private const string Statistic = "Students who sleep eight hours score 63 percent higher on exams [1, 2, 3].";
    private const string Fixed = "Students who slept after learning recalled more the next day than students who stayed awake [1, 2, 3].";

    private static Article Reply(bool withStatistic) => new(
        "Memory is made at night and under effort",
        "Sleep, self-testing and spaced sessions each make learning last [1, 2, 3].",
        [
            new ArticleSection("Sleep keeps what the day learned",
                "Students who slept after learning recalled more the next day than students who stayed awake [1, 2, 3]."
                + (withStatistic ? " " + Statistic : ""), [1, 2, 3]),
            new ArticleSection("Effort makes memories last",
                "Testing yourself is far more effective than rereading [1, 2, 3]. Study spaced over several days lasts longer than cramming [1, 2, 3].", [1, 2, 3]),
        ],
        [
            new AdviceItem("Test yourself", "Pull answers from memory instead of rereading [1, 2, 3].", [1, 2, 3]),
            new AdviceItem("Space your sessions", "Spread study sessions over several days rather than cramming [1, 2, 3].", [1, 2, 3]),
            new AdviceItem("Sleep on it", "Sleep after learning so that more is recalled the next day [1, 2, 3].", [1, 2, 3]),
        ],
        "Sleep, testing and spacing all make learning last.",
        1);

    private const string PlanThesis = "Memory is made at night and under effort";

    private static string Plan(params int[][] sections) => JsonSerializer.Serialize(new ArticlePlan(
        PlanThesis,
        sections.Select((numbers, i) => new PlannedSection($"Claim {i + 1}", numbers, "They agree from two sides.")).ToArray(),
        [new AdviceSeed("Test yourself", [2]), new AdviceSeed("Space your sessions", [3]), new AdviceSeed("Sleep on it", [1])]));

    private static string Repair(string action, string sentence) =>
        JsonSerializer.Serialize(new GroundingRepair([new SentenceRepair(1, action, sentence, [1, 2, 3])]));

    /// <summary>The fake answers by the schema each request asks for, as a real model would fill each one.</summary>
    private void Answer(bool withStatistic, string? repair = null, string? plan = null) =>
        _server.Responder = request => request.SchemaName switch
        {
            nameof(ArticlePlan) => FakeReply.Text(plan ?? Plan([1, 2], [2, 3])),
            nameof(GroundingRepair) => FakeReply.Text(repair ?? Repair("remove", "")),
            _ => FakeReply.Text(ArticleJson.Serialize(Reply(withStatistic))),
        };

    private async Task<DraftDocument> HatchAsync(string pipeline)
    {
        using var host = LlmTestHost.Build(_server, settings: new Dictionary<string, string?> { ["Hatch:Llm:Pipeline"] = pipeline });
        return await host.Services.GetRequiredService<ArticlePipeline>().HatchAsync(Highlights, new HatchOptions());
    }

    private string[] Schemas() => _server.Requests.Select(r => r.SchemaName ?? "(none)").ToArray();

    [Fact]
    public async Task PlannedMakesThePlanWriteAndRepairCallsInThatOrderEachWithItsOwnSchemaAndTheFixedSentenceIsNoLongerFlagged()
    {
        Answer(withStatistic: true, repair: Repair("fix", Fixed));

        var document = await HatchAsync("Planned");

        Assert.Equal(["ArticlePlan", "Article", "GroundingRepair"], Schemas());
        // The write call carries the plan, fenced as data; the plan call has the same highlight fence as the Article.
        var (plan, write, repair) = (_server.Requests[0].MessagesText, _server.Requests[1].MessagesText, _server.Requests[2].MessagesText);
        Assert.Contains("===== BEGIN HIGHLIGHTS =====", plan);
        Assert.DoesNotContain("===== BEGIN PLAN =====", plan);
        Assert.Contains("===== BEGIN PLAN =====", write);
        Assert.Contains("Thesis: " + PlanThesis, write);
        // The repair call gets the unsupported sentence with its part and citations, and the cited highlights.
        Assert.Contains("in section 1, \"Sleep keeps what the day learned\", citing [1, 2, 3]", repair);
        Assert.Contains(Statistic, repair);
        Assert.Contains("Testing yourself is far more effective than rereading", repair);

        Assert.Equal([], document.Provenance.Grounding!.Unsupported);
        Assert.DoesNotContain("63 percent", document.Article.Sections[0].Body);
        Assert.Equal("Planned", document.Provenance.Pipeline);
        var steps = document.Provenance.Steps!;
        Assert.Equal(["plan", "write", "check", "repair", "check"], steps.Select(s => s.Name));
        Assert.Equal(["Hatch/Plan", "Hatch/Article", "-", "Hatch/Repair", "-"], steps.Select(s => s.Template ?? "-"));
        var prompts = new PromptLibrary(PromptLibrary.ResolveRoot(null));
        Assert.Equal(prompts[PromptLibrary.Plan].Hash, steps[0].TemplateHash);
        Assert.Equal(prompts[PromptLibrary.Repair].Hash, steps[3].TemplateHash);
        Assert.All(steps.Where(s => s.Template is not null), s => Assert.Equal((100, 50, 1), (s.PromptTokens, s.CompletionTokens, s.Attempts)));
        Assert.Equal("1 of 9 sentences unsupported", steps[2].Note);
        Assert.Equal("0 of 9 sentences unsupported", steps[4].Note);
        Assert.Equal((300, 150, 3), (document.Provenance.PromptTokens, document.Provenance.CompletionTokens, document.Provenance.Attempts));
    }

    [Fact]
    public async Task ASentenceTheRepairRepeatsStaysFlaggedWithItsScore()
    {
        Answer(withStatistic: true, repair: Repair("fix", Statistic));

        var document = await HatchAsync("Planned");

        Assert.Equal(["ArticlePlan", "Article", "GroundingRepair"], Schemas());
        var flag = Assert.Single(document.Provenance.Grounding!.Unsupported);
        Assert.Equal("sections[0]", flag.Part);
        Assert.Equal(Statistic, flag.Sentence);
        Assert.Equal([1, 2, 3], flag.Citations);
        Assert.InRange(flag.Score, 0, 0.5);
        Assert.Contains(Statistic, document.Article.Sections[0].Body);
        Assert.Equal("1 of 9 sentences unsupported", document.Provenance.Steps![^1].Note);
    }

    [Fact]
    public async Task AFullySupportedReplyMakesNoRepairCallAndHasNoFlags()
    {
        Answer(withStatistic: false);

        var document = await HatchAsync("Planned");

        Assert.Equal(["ArticlePlan", "Article"], Schemas());
        Assert.Equal(8, document.Provenance.Grounding!.Checked);
        Assert.Equal([], document.Provenance.Grounding.Unsupported);
        Assert.Equal(["plan", "write", "check"], document.Provenance.Steps!.Select(s => s.Name));
    }

    [Fact]
    public async Task SingleMakesOneCallWithoutAPlanAndRepairsNothing()
    {
        Answer(withStatistic: true, repair: Repair("fix", Fixed));

        var document = await HatchAsync("Single");

        var request = Assert.Single(_server.Requests);
        Assert.Equal("Article", request.SchemaName);
        Assert.DoesNotContain("BEGIN PLAN", request.MessagesText);
        Assert.Equal(Statistic, Assert.Single(document.Provenance.Grounding!.Unsupported).Sentence);
        Assert.Equal("Single", document.Provenance.Pipeline);
        Assert.Equal(["write", "check"], document.Provenance.Steps!.Select(s => s.Name));
    }

    [Fact]
    public void PlannedIsTheDefaultWhenAModelIsConfigured()
    {
        using var host = LlmTestHost.Build(_server, settings: new Dictionary<string, string?> { ["Hatch:Llm:Pipeline"] = "" });
        Assert.Equal(DraftingPipeline.Planned, host.Services.GetRequiredService<IOptions<LlmOptions>>().Value.PipelineMode);
        Assert.Equal(DraftingPipeline.Single, new LlmOptions().PipelineMode);
    }

    [Fact]
    public async Task APlanWithASectionOnOneHighlightGetsOneRepairRoundThenTheArticleIsWrittenWithoutIt()
    {
        Answer(withStatistic: false, plan: Plan([1, 2], [3]));

        var document = await HatchAsync("Planned");

        Assert.Equal(["ArticlePlan", "ArticlePlan", "Article"], Schemas());
        Assert.Contains("sections[1] \"Claim 2\": draws on 1 highlight(s); every section joins at least 2", _server.Requests[1].MessagesText);
        Assert.DoesNotContain("BEGIN PLAN", _server.Requests[2].MessagesText);
        var plan = document.Provenance.Steps![0];
        Assert.Equal(("plan", 2), (plan.Name, plan.Attempts));
        Assert.StartsWith("plan dropped after a repair round", plan.Note);
        Assert.Equal([], document.Provenance.Grounding!.Unsupported);
    }

    [Fact]
    public async Task APlanNamingAHighlightThatWasNotSentIsRepairedOnceAndThenUsed()
    {
        var plans = new Queue<string>([Plan([1, 2], [2, 9]), Plan([1, 2], [2, 3])]);
        _server.Responder = request => request.SchemaName == nameof(ArticlePlan)
            ? FakeReply.Text(plans.Dequeue())
            : FakeReply.Text(ArticleJson.Serialize(Reply(withStatistic: false)));

        var document = await HatchAsync("Planned");

        Assert.Equal(["ArticlePlan", "ArticlePlan", "Article"], Schemas());
        Assert.Contains("sections[1]: [9] are not among the highlights given", _server.Requests[1].MessagesText);
        Assert.Contains("===== BEGIN PLAN =====", _server.Requests[2].MessagesText);
        Assert.StartsWith("one repair round: ", document.Provenance.Steps![0].Note);
    }

    private static Highlight Highlight(string text, string source) => new() { Text = text, Source = new HighlightSource(source, null) };
}
