using Hatch.TestSupport;

namespace Hatch.Web.BrowserTests;

/// <summary>
/// Like <see cref="BrowserFixture"/>, with an OpenAI-compatible model served by <see cref="FakeOpenAIServer"/> on
/// 127.0.0.1 (it writes the article and revises sections), and an editor account made the way an operator would.
/// </summary>
public sealed class ReviewBrowserFixture() : AppInBrowserFixture("hatch-review-browser-")
{
    public const string RevisedText = "Concretely: block two mornings a week for practice at the edge of your ability";

    public FakeOpenAIServer Llm { get; private set; } = null!;

    protected override async Task BeforeAppStartsAsync()
    {
        Llm = await FakeOpenAIServer.StartAsync();
        // The article cites the first highlights it was given; a revision cites the first highlight of its section.
        Llm.Responder = request => request.MessagesText.Contains("revise one section")
            ? FakeReply.Text($"{RevisedText} [1].")
            : FakeReply.Text(ArticleJson.ValidJson(1, 2, 3));
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Hatch:Llm:Provider"] = "OpenAICompatible",
        ["Hatch:Llm:Model"] = "browser-model",
        ["Hatch:Llm:Endpoint"] = Llm.OpenAIEndpoint.ToString(),
        ["Hatch:Llm:Pipeline"] = "Single",
        ["Hatch:Embeddings:Provider"] = "None",
    };

    protected override Task SeedAsync(IServiceProvider services) => AddEditorAsync(services);

    protected override async ValueTask DisposeExtrasAsync()
    {
        if (Llm is not null) await Llm.DisposeAsync();
    }
}
