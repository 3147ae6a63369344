using Hatch.Data;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Domain.Articles;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace Hatch.Web.Tests;

/// <summary>The embedded default (SQLite, MiniLM) drafting with a model on a real HTTP server on 127.0.0.1.</summary>
public sealed class GroundedLlmAppFactory : SqliteAppFactory
{
    public FakeOpenAIServer Llm { get; } = FakeOpenAIServer.StartAsync().GetAwaiter().GetResult();

    protected override string EmbeddingProvider => "MiniLM";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Llm:Provider", "OpenAICompatible");
        builder.UseSetting("Hatch:Llm:Model", "test-model");
        builder.UseSetting("Hatch:Llm:Endpoint", Llm.OpenAIEndpoint.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

public sealed class GroundedDraftTests(GroundedLlmAppFactory factory) : IClassFixture<GroundedLlmAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly object[] Highlights =
    [
        new { text = "Students who slept after learning word pairs recalled about forty percent more the next day than students who stayed awake.", source = "The Sleeping Brain" },
        new { text = "Testing yourself is far more effective than rereading. The effort of pulling an answer from memory is what makes it stick.", source = "Practice That Lasts" },
        new { text = "Spacing study sessions over several days feels slower, but what is learned lasts much longer than after cramming.", source = "Practice That Lasts" },
    ];

    // Every sentence cites all three, so the test does not depend on the order the selector numbers them in.
    private const string Statistic = "Students who sleep eight hours score 63 percent higher on exams [1, 2, 3].";

    private static Article Reply() => new(
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

    private static async Task<JsonElement> WaitForFinishAsync(HttpClient client, Guid id)
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
