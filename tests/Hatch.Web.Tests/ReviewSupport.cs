using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hatch.Data;
using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Rendering;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>The app on its own PostgreSQL database with an OpenAI-compatible model served by <see cref="FakeOpenAIServer"/>.</summary>
public class ReviewAppFactory : HatchAppFactory
{
    public FakeOpenAIServer Llm { get; } = FakeOpenAIServer.StartAsync().GetAwaiter().GetResult();

    protected override string ConnectionString => OwnedPostgresDatabase;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Llm:Provider", "OpenAICompatible");
        builder.UseSetting("Hatch:Llm:Model", "review-model");
        builder.UseSetting("Hatch:Llm:Endpoint", Llm.OpenAIEndpoint.ToString());
        builder.UseSetting("Hatch:Llm:RetryBaseDelay", "00:00:00.050");
        // These tests script one reply per draft; the Planned pipeline has its own tests (PlannedDraftTests).
        builder.UseSetting("Hatch:Llm:Pipeline", "Single");
        builder.UseSetting("Hatch:Embeddings:Provider", "None");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

/// <summary>A user of the review tests: their id, email and a client carrying their bearer token.</summary>
public sealed record TestUser(string Id, string Email, HttpClient Client);

/// <summary>Users with roles and drafts put straight into a chosen workflow state, through the domain's own methods.</summary>
public static class ReviewSeed
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Text that must never reach anyone but the author: a reader's note and a highlight the article does not cite.</summary>
    public const string NoteMarker = "NOTE-PRIVATE-7f3a";
    public const string UncitedMarker = "UNCITED-PRIVATE-9c1e";

    public static async Task<TestUser> UserAsync(this HatchAppFactory factory, params string[] roles)
    {
        var (client, email) = await factory.NewUserAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        foreach (var role in roles)
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return new TestUser(user.Id, email, client);
    }

    /// <summary>
    /// A draft owned by <paramref name="ownerId"/> with three highlights (1 and 2 cited, 1 with a private note, 3 not
    /// cited), moved to <paramref name="state"/> by the owner and <paramref name="reviewerId"/>, all <paramref name="at"/> (default: now).
    /// </summary>
    public static async Task<Guid> DraftAsync(
        this HatchAppFactory factory, string ownerId, DraftStatus state, string reviewerId, string? title = null, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var tag = Guid.NewGuid().ToString("N")[..8];
        Highlight[] highlights =
        [
            new() { Text = $"Deliberate practice works at the edge of ability with immediate feedback ({tag}).", Note = $"{NoteMarker} my own thought", Source = new("Peak", "Anders Ericsson") },
            new() { Text = $"Attention is the scarcest resource; protect long blocks for deep work ({tag}).", Source = new("Deep Work", "Cal Newport", "https://example.com/deep") },
            new() { Text = $"{UncitedMarker} a passage the article does not use ({tag}).", Source = new("Private Notebook") },
        ];
        var article = ArticleJson.Valid(1, 2) with { Title = title ?? $"Practice and attention {tag}" };

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var stored = highlights.Select(h => StoredHighlight.From(ownerId, h, now)).ToArray();
        db.Highlights.AddRange(stored);
        var request = HatchRequest.Create(ownerId, HatchSelection.All, new HatchSettings("essay", "en", "short"), now);
        db.HatchRequests.Add(request);
        var document = new DraftDocument(article, highlights.Select((h, i) => new NumberedHighlight(i + 1, h)).ToArray(),
            new DraftProvenance { Writer = "Extractive", CreatedAt = now, HighlightsUsed = 3, HighlightsConsidered = 3 });
        var draft = Draft.Create(request, document, DraftRenderer.Markdown(document), stored.ToDictionary(h => h.ContentHash, h => h.Id), now);
        request.Succeed(draft.Id, now);
        db.Drafts.Add(draft);

        var owner = new DraftActor(ownerId);
        var reviewer = new DraftActor(reviewerId, IsEditor: true);
        if (state != DraftStatus.Draft) draft.Submit(owner, now);
        if (state is DraftStatus.Approved or DraftStatus.Published) draft.Approve(reviewer, now);
        if (state is DraftStatus.Published) draft.Publish(reviewer, $"seeded-{tag}", now);
        if (state is DraftStatus.Rejected) draft.Reject(reviewer, "Needs a sharper argument.", now);
        await db.SaveChangesAsync();
        return draft.Id;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object? body = null) =>
        client.PostAsJsonAsync(url, body ?? new { });

    /// <summary>Polls until <paramref name="done"/> holds for the value, or fails after the timeout.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            Assert.True(DateTime.UtcNow < deadline, $"{what}: still {value} after {seconds} s");
            await Task.Delay(100);
        }
    }
}
