using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Hatching;
using Hatch.Writing.Text;
using Hatch.Writing.Themes;
using Microsoft.Extensions.Logging;
using static Hatch.Llm.Tests.KernelArticleWriterTests;

namespace Hatch.Llm.Tests;

/// <summary>
/// The model writer is told which highlights belong together by meaning (the stored embeddings, grouped by
/// <see cref="ThemeGrouper"/>), so its sections can join passages from different sources.
/// </summary>
public sealed class ThemedPromptTests : IAsyncLifetime
{
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAIServer.StartAsync();
        _server.ApiKey = LlmTestHost.Key;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // Two meanings, each spread over both books: 1, 2, 4, 7 are about sleep, 3, 5, 6 about money. The words give no
    // hint of the grouping (every text is alike), so only the vectors can produce it.
    private static readonly int[] Sleep = [1, 2, 4, 7];

    private static ArticleRequest Request(bool withVectors)
    {
        var highlights = Enumerable.Range(1, 7)
            .Select(i => new NumberedHighlight(i, new Highlight
            {
                Text = $"Passage {i} says something worth an article.",
                Source = new HighlightSource(i % 2 == 0 ? "Why We Sleep" : "The Psychology of Money", "An Author"),
            }))
            .ToArray();
        var request = new ArticleRequest(highlights, new ArticleOptions { AuthorName = "Ada", Style = "briefing", Length = "short" });
        if (!withVectors) return request;
        var vectors = highlights.ToDictionary(
            h => h.Highlight.ContentHash,
            h => VectorMath.Normalize(Sleep.Contains(h.Number) ? [1f, 0f, 0.05f * h.Number, 0f] : [0f, 1f, 0f, 0.05f * h.Number]));
        return request with { VectorsByContentHash = vectors };
    }

    [Fact]
    public async Task WithStoredVectorsThePromptAsksForOneSectionPerThemeAndAThemeJoinsBothSources()
    {
        _server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        using var host = LlmTestHost.Build(_server);

        await host.Writer().WriteAsync(Request(withVectors: true));

        var user = UserMessage(Assert.Single(_server.Requests));
        var end = user.IndexOf("===== END HIGHLIGHTS =====", StringComparison.Ordinal);
        var themes = user.IndexOf("Suggested themes:", StringComparison.Ordinal);
        Assert.True(themes > end, "the grouping follows the data block, outside the fence");
        Assert.Contains("Use them as a starting point, not an outline", user);
        Assert.Contains("- Theme 1: highlights 1, 2, 4, 7 (2 sources)", user);
        Assert.Contains("- Theme 2: highlights 3, 5, 6 (2 sources)", user);
    }

    [Fact]
    public async Task WithoutVectorsAndWithEmbeddingsThatOnlyKnowWordsThePromptHasNoThemes()
    {
        _server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        using var host = LlmTestHost.Build(_server, settings: new Dictionary<string, string?> { ["Hatch:Embeddings:Provider"] = "None" });

        await host.Writer().WriteAsync(Request(withVectors: false));

        var user = UserMessage(Assert.Single(_server.Requests));
        Assert.DoesNotContain("Suggested themes:", user);
        Assert.DoesNotContain("Theme 1", user);
        Assert.EndsWith("===== END HIGHLIGHTS =====", user.TrimEnd());
    }

    [Fact]
    public async Task WithoutStoredVectorsTheWriterEmbedsTheHighlightsAndGroupsThemByMeaningAcrossSources()
    {
        // `hatch article --provider …` has no library to read vectors from. Two topics, each spread over both books,
        // so grouping by book would be wrong and only the meaning gives sleep 1, 3, 5 and money 2, 4, 6.
        string[] texts =
        [
            "Deep sleep at night consolidates the memories formed during the day.",
            "Compound interest rewards the investor who leaves savings untouched for decades.",
            "A tired brain that skipped a night of sleep forgets much of what it learned.",
            "Saving a steady share of every paycheck builds wealth over the years.",
            "A short nap after studying helps the brain store new facts.",
            "Low-cost index funds beat most active stock pickers once fees are counted.",
        ];
        var highlights = texts.Select((text, i) => new NumberedHighlight(i + 1, new Highlight
        {
            Text = text,
            Source = new HighlightSource(i % 3 == 0 ? "Why We Sleep" : i % 3 == 1 ? "The Psychology of Money" : "Notes from Both", "An Author"),
        })).ToArray();
        _server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        using var logs = new LogCapture();
        using var host = LlmTestHost.Build(_server, logs: logs); // the default embeddings: MiniLM in process

        await host.Writer().WriteAsync(new ArticleRequest(highlights, new ArticleOptions { Length = "short" }));

        var user = UserMessage(Assert.Single(_server.Requests));
        var why = $"prompt:\n{user}\nwarnings:\n{string.Join("\n", logs.Entries.Where(e => e.Level >= LogLevel.Warning))}";
        Assert.True(user.Contains("Use them as a starting point, not an outline", StringComparison.Ordinal), why);
        Assert.True(Regex.IsMatch(user, @"- Theme [12]: highlights 1, 3, 5 \(3 sources\)"), why);
        Assert.True(Regex.IsMatch(user, @"- Theme [12]: highlights 2, 4, 6 \(3 sources\)"), why);
    }

    [Fact]
    public async Task LexicalVectorsOfProviderNoneAreNotPassedOffAsThemesByMeaning()
    {
        _server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        using var host = LlmTestHost.Build(_server, settings: new Dictionary<string, string?> { ["Hatch:Embeddings:Provider"] = "None" });

        await host.Writer().WriteAsync(Request(withVectors: true));

        Assert.DoesNotContain("Suggested themes:", UserMessage(Assert.Single(_server.Requests)));
    }

    [Fact]
    public async Task AHighlightMissingItsVectorFallsBackToNoThemes()
    {
        _server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        using var host = LlmTestHost.Build(_server);
        var request = Request(withVectors: true);
        var partial = request.VectorsByContentHash!.Where(kv => kv.Key != request.Highlights[2].Highlight.ContentHash).ToDictionary();

        await host.Writer().WriteAsync(request with { VectorsByContentHash = partial });

        Assert.DoesNotContain("Suggested themes:", UserMessage(Assert.Single(_server.Requests)));
    }
}
