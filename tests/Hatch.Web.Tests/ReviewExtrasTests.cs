using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.Features.Review;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hatch.Web.Tests;

/// <summary>With the offline extractive writer there is no model: revising a section says so instead of faking it.</summary>
public sealed class ExtractiveReviseTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task RevisingASectionWithoutAModelIsRefusedWithAClearMessage()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);

        using var response = await author.Client.PostJsonAsync($"/api/drafts/{id}/sections/0/revise", new { instruction = "shorter" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("Revising needs a language model", problem.GetProperty("title").GetString());
        Assert.Contains("Hatch:Llm:Provider", problem.GetProperty("detail").GetString());
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(scope.ServiceProvider.GetRequiredService<HatchDbContext>().SectionRevisions.Any(r => r.DraftId == id));
    }
}

/// <summary>A real HTTP receiver on 127.0.0.1 that records deliveries and answers from a script (then 200).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();

    public sealed record Delivery(byte[] Body, string? Signature, string? Event, string? DeliveryId, DateTimeOffset At);

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url) { _app = app; Url = url; }

    public void Answer(params int[] statuses) { foreach (var s in statuses) _script.Enqueue(s); }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks/published", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            receiver!.Deliveries.Enqueue(new Delivery(buffer.ToArray(), context.Request.Headers[PublishWebhookJob.SignatureHeader],
                context.Request.Headers[PublishWebhookJob.EventHeader], context.Request.Headers[PublishWebhookJob.DeliveryHeader], DateTimeOffset.UtcNow));
            context.Response.StatusCode = receiver._script.TryDequeue(out var status) ? status : 200;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address.Replace("[::1]", "127.0.0.1").TrimEnd('/') + "/hooks/published");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The app with a publish webhook pointed at a <see cref="WebhookReceiver"/>, retrying quickly.</summary>
public sealed class WebhookAppFactory : ReviewAppFactory
{
    public const string Secret = "whsec-test-3d9f0c";

    public WebhookReceiver Receiver { get; } = WebhookReceiver.StartAsync().GetAwaiter().GetResult();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Webhooks:PublishUrl", Receiver.Url);
        builder.UseSetting("Hatch:Webhooks:Secret", Secret);
        builder.UseSetting("Hatch:Webhooks:SiteUrl", "https://hatch.example.com");
        // Hangfire keeps a scheduled job's time in whole seconds, so a retry can run up to a second before its delay is
        // up: a 200 ms delay sometimes ran 60 ms after the first try (CI, 2026-11-29). With 1.5 s it waits at least 0.5 s.
        builder.UseSetting("Hatch:Webhooks:RetryDelays:0", "00:00:01.500");
        builder.UseSetting("Hatch:Webhooks:RetryDelays:1", "00:00:01.500");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed class PublishWebhookTests(WebhookAppFactory factory) : IClassFixture<WebhookAppFactory>
{
    [Fact]
    public async Task PublishingPostsASignedBodyAndRetriesAfterA500()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Approved, editor.Id, title: "Webhooks for published articles");
        factory.Receiver.Answer(500);

        using var published = await editor.Client.PostJsonAsync($"/api/drafts/{id}/publish");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);

        var deliveries = await ReviewSeed.EventuallyAsync(
            () => Task.FromResult(factory.Receiver.Deliveries.ToArray()), d => d.Length >= 2, "two webhook deliveries", seconds: 30);
        await Task.Delay(2000);
        deliveries = factory.Receiver.Deliveries.ToArray();
        Assert.Equal(2, deliveries.Length); // the 500 was retried once; the 200 ended it
        foreach (var delivery in deliveries)
        {
            Assert.StartsWith("sha256=", delivery.Signature);
            Assert.True(PublishWebhookJob.Verify(delivery.Body, WebhookAppFactory.Secret, delivery.Signature), "the signature does not match the body");
            Assert.False(PublishWebhookJob.Verify(delivery.Body, "another-secret", delivery.Signature));
            Assert.Equal(PublishWebhookJob.PublishedEvent, delivery.Event);
        }
        Assert.Equal(deliveries[0].DeliveryId, deliveries[1].DeliveryId);
        Assert.Equal(deliveries[0].Body, deliveries[1].Body);
        Assert.True(deliveries[1].At - deliveries[0].At >= TimeSpan.FromMilliseconds(400), $"the retry did not wait ({(deliveries[1].At - deliveries[0].At).TotalMilliseconds:0} ms)");

        var body = System.Text.Json.JsonDocument.Parse(deliveries[0].Body).RootElement;
        Assert.Equal("draft.published", body.GetProperty("event").GetString());
        Assert.Equal(id, body.GetProperty("draftId").GetGuid());
        Assert.Equal("https://hatch.example.com/a/webhooks-for-published-articles", body.GetProperty("url").GetString());
        var text = Encoding.UTF8.GetString(deliveries[0].Body);
        Assert.DoesNotContain(ReviewSeed.NoteMarker, text);
        Assert.DoesNotContain(author.Email, text);
    }

    [Fact]
    public void TheSignatureIsHmacSha256OfTheExactBodyInHex()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"draft.published\"}");
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("key"));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(body)), PublishWebhookJob.Sign(body, "key"));
    }
}
