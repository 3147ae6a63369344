using Hatch.Data;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace Hatch.Web.Tests;

/// <summary>The embedded default (SQLite, MiniLM) drafting with a model on a real HTTP server on 127.0.0.1.</summary>
public class GroundedLlmAppFactory : SqliteAppFactory
{
    public FakeOpenAIServer Llm { get; } = FakeOpenAIServer.StartAsync().GetAwaiter().GetResult();

    protected override string EmbeddingProvider => "MiniLM";

    /// <summary>Single: these tests script one reply per draft and are about the check, not the calls.</summary>
    protected virtual string Pipeline => "Single";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Llm:Provider", "OpenAICompatible");
        builder.UseSetting("Hatch:Llm:Model", "test-model");
        builder.UseSetting("Hatch:Llm:Endpoint", Llm.OpenAIEndpoint.ToString());
        builder.UseSetting("Hatch:Llm:Pipeline", Pipeline);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

public sealed class GroundedDraftTests(GroundedLlmAppFactory factory) : IClassFixture<GroundedLlmAppFactory>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static readonly object[] Highlights =
    [
        new { text = "Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake.", source = "The Sleeping Brain" },
        new { text = "Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick.", source = "Practice That Lasts" },
        new { text = "Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming.", source = "Practice That Lasts" },
    ];

    // Every sentence cites all three, so the test does not depend on the order the selector numbers them in.
    internal const string Statistic = "Students who sleep eight hours score 63 percent higher on exams [1, 2, 3].";

    internal static Article Reply() => new(
        "Memory is made at night and under effort",
        "Sleep, self-testing and spaced sessions each make learning last [1, 2, 3].",
        [
            new ArticleSection("Sleep keeps what the day learned",
                "Students who slept after learning recalled more the next day than students who stayed awake [1, 2, 3]. " + Statistic, [1, 2, 3]),
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

    [Fact]
    public async Task ADraftShowsWhichOfItsSentencesTheCitedHighlightsDoNotSupport()
    {
        factory.Llm.Responder = _ => FakeReply.Text(ArticleJson.Serialize(Reply()));
        var (client, _) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Highlights)).EnsureSuccessStatusCode();
        var accepted = await client.PostAsJsonAsync("/api/hatches", new { });
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetGuid();
        var status = await WaitForFinishAsync(client, requestId);
        Assert.Equal("Succeeded", status.GetProperty("status").GetString());

        var draft = await client.GetFromJsonAsync<JsonElement>($"/api/drafts/{status.GetProperty("draftId").GetGuid()}", Json);

        var grounding = draft.GetProperty("grounding");
        Assert.Equal(9, grounding.GetProperty("checked").GetInt32());
        Assert.Equal(8, grounding.GetProperty("supported").GetInt32());
        var flag = Assert.Single(grounding.GetProperty("unsupported").EnumerateArray());
        Assert.Equal("sections[0]", flag.GetProperty("part").GetString());
        Assert.Equal(Statistic, flag.GetProperty("sentence").GetString());
        Assert.Equal([1, 2, 3], flag.GetProperty("citations").EnumerateArray().Select(c => c.GetInt32()));
        Assert.InRange(flag.GetProperty("score").GetDouble(), 0, 0.5);

        // The author's page (and an editor's, once submitted) marks it in words, not colour alone.
        var draftId = status.GetProperty("draftId").GetGuid();
        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync($"/Drafts/{draftId}"));
        Assert.Contains("8 of 9 sentences stand on the highlights they cite.", page);
        Assert.Contains("⚠ Unsupported</strong> in section 1, “Sleep keeps what the day learned”", page);
        Assert.Contains(Statistic, page);

        (await client.PostAsync($"/api/drafts/{draftId}/submit", null)).EnsureSuccessStatusCode();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var queue = System.Net.WebUtility.HtmlDecode(await editor.Client.GetStringAsync("/Review"));
        Assert.Contains("⚠ 1 unsupported sentence<", queue);
        var item = (await editor.Client.GetFromJsonAsync<JsonElement>("/api/review", Json)).EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == draftId);
        Assert.Equal(1, item.GetProperty("unsupportedSentences").GetInt32());
    }

    [Fact]
    public async Task AnEditThatAddsAnUnsupportedSentenceIsFlaggedAndEditingItAwayClearsTheFlag()
    {
        factory.Llm.Responder = _ => FakeReply.Text(ArticleJson.Serialize(Supported()));
        var (client, _) = await factory.NewUserAsync();
        var draftId = await HatchAsync(client);
        var draft = await client.GetFromJsonAsync<JsonElement>($"/api/drafts/{draftId}", Json);
        Assert.Equal(0, draft.GetProperty("grounding").GetProperty("unsupported").GetArrayLength());
        var original = draft.GetProperty("article").Deserialize<Article>(HatchJson.Options)!;

        // The author adds a statistic no highlight states to the second section; no model is called for the check.
        var calls = factory.Llm.CallCount;
        var sections = original.Sections.ToArray();
        sections[1] = sections[1] with { Body = sections[1].Body + " " + Statistic };
        var edited = await EditAsync(client, draftId, original with { Sections = sections }, expectedRevision: 1);
        var grounding = edited.GetProperty("grounding");
        var flag = Assert.Single(grounding.GetProperty("unsupported").EnumerateArray());
        Assert.Equal("sections[1]", flag.GetProperty("part").GetString());
        Assert.Equal(Statistic, flag.GetProperty("sentence").GetString());
        Assert.InRange(flag.GetProperty("score").GetDouble(), 0, 0.5);
        Assert.Equal(9, grounding.GetProperty("checked").GetInt32());
        Assert.Equal(factory.Llm.CallCount, calls);
        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync($"/Drafts/{draftId}"));
        Assert.Contains("8 of 9 sentences stand on the highlights they cite.", page);

        // Editing it away again clears the flag.
        var cleared = await EditAsync(client, draftId, original, expectedRevision: 2);
        Assert.Equal(0, cleared.GetProperty("grounding").GetProperty("unsupported").GetArrayLength());
        Assert.Equal(8, cleared.GetProperty("grounding").GetProperty("checked").GetInt32());
    }

    private static async Task<JsonElement> EditAsync(HttpClient client, Guid draftId, Article article, int expectedRevision)
    {
        (await client.PutAsJsonAsync($"/api/drafts/{draftId}", new { expectedRevision, article }, Json)).EnsureSuccessStatusCode();
        return await client.GetFromJsonAsync<JsonElement>($"/api/drafts/{draftId}", Json);
    }

    /// <summary>The reply without the statistic: every sentence stands on the highlights.</summary>
    internal static Article Supported()
    {
        var reply = Reply();
        var sections = reply.Sections.ToArray();
        sections[0] = sections[0] with { Body = sections[0].Body.Replace(" " + Statistic, "", StringComparison.Ordinal) };
        return reply with { Sections = sections };
    }

    internal static async Task<Guid> HatchAsync(HttpClient client)
    {
        (await client.PostAsJsonAsync("/api/highlights", Highlights)).EnsureSuccessStatusCode();
        var accepted = await client.PostAsJsonAsync("/api/hatches", new { });
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetGuid();
        var status = await WaitForFinishAsync(client, requestId);
        Assert.Equal("Succeeded", status.GetProperty("status").GetString());
        return status.GetProperty("draftId").GetGuid();
    }

    internal static async Task<JsonElement> WaitForFinishAsync(HttpClient client, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>($"/api/hatches/{id}", Json);
            if (status.GetProperty("status").GetString() is "Succeeded" or "Failed") return status;
            Assert.True(DateTime.UtcNow < deadline, $"request {id} did not finish: {status}");
            await Task.Delay(100);
        }
    }
}

/// <summary>The same app under the default for a configured model, Pipeline Planned.</summary>
public sealed class PlannedLlmAppFactory : GroundedLlmAppFactory
{
    protected override string Pipeline => "Planned";
}

/// <summary>
/// Planned drafting through the web app: the plan, write and repair calls the job makes, and what an editor sees
/// when the repair does not remove an unsupported sentence.
/// </summary>
public sealed class PlannedDraftTests(PlannedLlmAppFactory factory) : IClassFixture<PlannedLlmAppFactory>
{
    private static string Plan() => JsonSerializer.Serialize(new Hatch.Llm.ArticlePlan(
        "Memory is made at night and under effort",
        [new Hatch.Llm.PlannedSection("Sleep keeps what the day learned", [1, 2], "Sleep and effort both fix memories."),
         new Hatch.Llm.PlannedSection("Effort makes memories last", [2, 3], "Testing and spacing are two kinds of effort.")],
        [new Hatch.Llm.AdviceSeed("Test yourself", [2]), new Hatch.Llm.AdviceSeed("Space your sessions", [3]), new Hatch.Llm.AdviceSeed("Sleep on it", [1])]));

    [Fact]
    public async Task ASentenceTheRepairRepeatsIsFlaggedOnTheDraftPageForAnEditor()
    {
        // The repair call answers "fix" with the same invented statistic, as a stubborn model would.
        var repeat = JsonSerializer.Serialize(new Hatch.Llm.GroundingRepair([new Hatch.Llm.SentenceRepair(1, "fix", GroundedDraftTests.Statistic, [1, 2, 3])]));
        factory.Llm.Responder = request => request.SchemaName switch
        {
            "ArticlePlan" => FakeReply.Text(Plan()),
            "GroundingRepair" => FakeReply.Text(repeat),
            _ => FakeReply.Text(ArticleJson.Serialize(GroundedDraftTests.Reply())),
        };
        var (client, _) = await factory.NewUserAsync();
        var before = factory.Llm.Requests.Count;

        var draftId = await GroundedDraftTests.HatchAsync(client);

        Assert.Equal(["ArticlePlan", "Article", "GroundingRepair"], factory.Llm.Requests.Skip(before).Select(r => r.SchemaName ?? "(none)"));
        var draft = await client.GetFromJsonAsync<JsonElement>($"/api/drafts/{draftId}", GroundedDraftTests.Json);
        var flag = Assert.Single(draft.GetProperty("grounding").GetProperty("unsupported").EnumerateArray());
        Assert.Equal(GroundedDraftTests.Statistic, flag.GetProperty("sentence").GetString());
        Assert.InRange(flag.GetProperty("score").GetDouble(), 0, 0.5);
        var steps = draft.GetProperty("provenance").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString() ?? "").ToArray();
        Assert.Equal(["plan", "write", "check", "repair", "check"], steps);

        (await client.PostAsync($"/api/drafts/{draftId}/submit", null)).EnsureSuccessStatusCode();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var page = System.Net.WebUtility.HtmlDecode(await editor.Client.GetStringAsync($"/Drafts/{draftId}"));
        Assert.Contains("8 of 9 sentences stand on the highlights they cite.", page);
        Assert.Contains("⚠ Unsupported</strong> in section 1, “Sleep keeps what the day learned”", page);
        Assert.Contains(GroundedDraftTests.Statistic, page);
    }

    [Fact]
    public async Task ARepairThatFixesTheSentenceLeavesNothingFlagged()
    {
        var fix = JsonSerializer.Serialize(new Hatch.Llm.GroundingRepair([new Hatch.Llm.SentenceRepair(1, "remove", "", [])]));
        factory.Llm.Responder = request => request.SchemaName switch
        {
            "ArticlePlan" => FakeReply.Text(Plan()),
            "GroundingRepair" => FakeReply.Text(fix),
            _ => FakeReply.Text(ArticleJson.Serialize(GroundedDraftTests.Reply())),
        };
        var (client, _) = await factory.NewUserAsync();

        var draftId = await GroundedDraftTests.HatchAsync(client);

        var draft = await client.GetFromJsonAsync<JsonElement>($"/api/drafts/{draftId}", GroundedDraftTests.Json);
        Assert.Equal(0, draft.GetProperty("grounding").GetProperty("unsupported").GetArrayLength());
        Assert.Equal(8, draft.GetProperty("grounding").GetProperty("checked").GetInt32());
        Assert.DoesNotContain("63 percent", draft.GetProperty("markdown").GetString());
    }
}
