using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.Features.Review;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
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

/// <summary>
/// A real HTTP receiver on 127.0.0.1 that records deliveries and answers from a script (then 200), or holds a request
/// until the sender gives up on it, as a hung receiver would.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();
    private readonly ConcurrentQueue<bool> _stalls = new();
    private readonly ConcurrentQueue<string> _redirects = new();

    /// <param name="DeliveryId">The <c>webhook-id</c>: the same for every attempt of one delivery.</param>
    public sealed record Delivery(byte[] Body, string? Signature, string? Event, string? DeliveryId, string? Timestamp, DateTimeOffset At)
    {
        /// <summary>Whether the request verifies under <paramref name="secret"/> as a receiver would check it now.</summary>
        public bool IsSignedWith(string secret) =>
            PublishWebhookJob.Verify(DeliveryId, Timestamp, Body, secret, Signature, DateTimeOffset.UtcNow);
    }

    /// <summary>The requests that were answered.</summary>
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>The requests held without an answer (see <see cref="StallNext"/>).</summary>
    public ConcurrentQueue<Delivery> Stalled { get; } = new();

    /// <summary>The requests answered with a redirect (see <see cref="RedirectNextTo"/>).</summary>
    public ConcurrentQueue<Delivery> Redirected { get; } = new();

    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url) { _app = app; Url = url; }

    public void Answer(params int[] statuses) { foreach (var s in statuses) _script.Enqueue(s); }

    /// <summary>The next request gets no answer until the sender hangs up.</summary>
    public void StallNext() => _stalls.Enqueue(true);

    /// <summary>The next request is answered 307 (which keeps the method and body) pointing at <paramref name="location"/>.</summary>
    public void RedirectNextTo(string location) => _redirects.Enqueue(location);

    /// <summary>Starts listening on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks/published", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers;
            var delivery = new Delivery(buffer.ToArray(), headers[PublishWebhookJob.SignatureHeader], headers[PublishWebhookJob.EventHeader],
                headers[PublishWebhookJob.IdHeader], headers[PublishWebhookJob.TimestampHeader], DateTimeOffset.UtcNow);
            if (receiver!._redirects.TryDequeue(out var location))
            {
                receiver.Redirected.Enqueue(delivery);
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = location;
                return;
            }
            if (receiver._stalls.TryDequeue(out _))
            {
                receiver.Stalled.Enqueue(delivery);
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                catch (OperationCanceledException) { }
                return;
            }
            receiver.Deliveries.Enqueue(delivery);
            context.Response.StatusCode = receiver._script.TryDequeue(out var status) ? status : 200;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address.Replace("[::1]", "127.0.0.1").TrimEnd('/') + "/hooks/published");
        return receiver;
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The app with a signed publish webhook that retries quickly, and the webhook job's log captured so a test can tell
/// when a delivery is finished rather than waiting and hoping.
/// </summary>
public abstract class WebhookTestAppFactory : ReviewAppFactory
{
    public const string Secret = "whsec-test-3d9f0c";

    public LogCapture Logs { get; } = new();

    protected abstract string PublishUrl { get; }

    /// <summary>One delivery attempt's budget.</summary>
    protected virtual TimeSpan AttemptTimeout => TimeSpan.FromSeconds(10);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Webhooks:PublishUrl", PublishUrl);
        builder.UseSetting("Hatch:Webhooks:Secret", Secret);
        builder.UseSetting("Hatch:Webhooks:SiteUrl", "https://hatch.example.com");
        builder.UseSetting("Hatch:Webhooks:Timeout", AttemptTimeout.ToString("c"));
        // Hangfire keeps a scheduled job's time in whole seconds, so a retry can run up to a second before its delay is
        // up: a 200 ms delay sometimes ran 60 ms after the first try (CI, 2026-11-29). With 1.5 s it waits at least 0.5 s.
        for (var i = 0; i < 4; i++)
            builder.UseSetting($"Hatch:Webhooks:RetryDelays:{i}", "00:00:01.500");
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogCapture>(typeof(PublishWebhookJob).FullName, LogLevel.Information);
        });
    }

    /// <summary>The webhook job's log entries about one draft.</summary>
    public CapturedLog[] WebhookLog(Guid draftId) =>
        Logs.Entries.Where(e => e.Category == typeof(PublishWebhookJob).FullName && Equals(e.Values.GetValueOrDefault("DraftId"), draftId)).ToArray();

    /// <summary>An editor publishes an approved draft through the API, which is what sends the webhook; returns the draft and its author.</summary>
    public async Task<(Guid Id, TestUser Author)> PublishADraftAsync(string? title = null)
    {
        var author = await this.UserAsync();
        var editor = await this.UserAsync(HatchUser.Roles.Editor);
        var id = await this.DraftAsync(author.Id, DraftStatus.Approved, editor.Id, title);
        using var published = await editor.Client.PostJsonAsync($"/api/drafts/{id}/publish");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return (id, author);
    }

    /// <summary>Waits until the webhook job logs <paramref name="text"/> about the draft; fails with its log so far.</summary>
    public async Task<CapturedLog> WebhookLoggedAsync(Guid draftId, string text, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var log = WebhookLog(draftId);
            if (log.FirstOrDefault(e => e.Message.Contains(text, StringComparison.Ordinal)) is { } entry) return entry;
            Assert.True(DateTime.UtcNow < deadline, $"the webhook job did not log '{text}' for draft {draftId} within {seconds} s; its log: {string.Join(" / ", log.Select(e => e.Message))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the job says the draft's webhook was delivered (after which it schedules nothing more); returns the attempt.</summary>
    public async Task<int> DeliveredAsync(Guid draftId) => (int)(await WebhookLoggedAsync(draftId, "delivered on attempt")).Values["Attempt"]!;
}

/// <summary>The app with a publish webhook pointed at a <see cref="WebhookReceiver"/>.</summary>
public sealed class WebhookAppFactory : WebhookTestAppFactory
{
    public WebhookReceiver Receiver { get; } = WebhookReceiver.StartAsync().GetAwaiter().GetResult();

    protected override string PublishUrl => Receiver.Url;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>The app with a publish webhook pointed at a port where nothing listens until a test starts a receiver there.</summary>
public sealed class RefusedWebhookAppFactory : WebhookTestAppFactory
{
    public int Port { get; } = WebhookReceiver.FreePort();

    protected override string PublishUrl => $"http://127.0.0.1:{Port}/hooks/published";
}

/// <summary>The app with a publish webhook whose receiver can hold a request past the attempt's timeout.</summary>
public sealed class StallingWebhookAppFactory : WebhookTestAppFactory
{
    public WebhookReceiver Receiver { get; } = WebhookReceiver.StartAsync().GetAwaiter().GetResult();

    protected override string PublishUrl => Receiver.Url;

    // Short enough to keep the test quick, long enough that a local 200 on a loaded machine is never cut off.
    protected override TimeSpan AttemptTimeout => TimeSpan.FromSeconds(3);

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
        factory.Receiver.Answer(500);
        var (id, author) = await factory.PublishADraftAsync(title: "Webhooks for published articles");

        Assert.Equal(2, await factory.DeliveredAsync(id));
        // The class's tests share the receiver: this draft's deliveries only.
        var deliveries = factory.Receiver.Deliveries.Where(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("draftId").GetGuid() == id).ToArray();
        Assert.Equal(2, deliveries.Length); // the 500 was retried once; the 200 ended it
        foreach (var delivery in deliveries)
        {
            Assert.StartsWith("v1,", delivery.Signature);
            Assert.True(delivery.IsSignedWith(WebhookTestAppFactory.Secret), "the signature does not match the id, timestamp and body");
            Assert.False(delivery.IsSignedWith("another-secret"));
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
    public void TheSignatureIsStandardWebhooksHmacOfIdTimestampAndBodyAndAnOldTimestampIsAReplay()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"draft.published\"}");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("key"));
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"msg_1.{timestamp}.").Concat(body).ToArray()));
        Assert.Equal(expected, PublishWebhookJob.Sign("msg_1", timestamp, body, "key"));

        Assert.True(PublishWebhookJob.Verify("msg_1", timestamp, body, "key", "v1,bm90LWl0 " + expected, now.AddMinutes(4)));
        // The same request replayed ten minutes later, or with its timestamp moved, or as another delivery: refused.
        Assert.False(PublishWebhookJob.Verify("msg_1", timestamp, body, "key", expected, now.AddMinutes(10)));
        Assert.False(PublishWebhookJob.Verify("msg_1", (now.ToUnixTimeSeconds() + 600).ToString(System.Globalization.CultureInfo.InvariantCulture), body, "key", expected, now.AddMinutes(10)));
        Assert.False(PublishWebhookJob.Verify("msg_2", timestamp, body, "key", expected, now));

        // A Standard Webhooks secret ("whsec_" and Base64) signs with its decoded bytes, as their libraries expect.
        var standardSecret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("key"));
        Assert.Equal(expected, PublishWebhookJob.Sign("msg_1", timestamp, body, standardSecret));
    }

    [Fact]
    public async Task ARedirectIsNotFollowedItIsAFailedAttemptAndTheRetryGoesToTheConfiguredAddress()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        factory.Receiver.RedirectNextTo(elsewhere.Url);
        var (id, _) = await factory.PublishADraftAsync();

        var failed = await factory.WebhookLoggedAsync(id, "failed on attempt 1");
        Assert.Contains("307", failed.Message);
        Assert.Contains("redirects are not followed", failed.Message);
        Assert.Equal(2, await factory.DeliveredAsync(id));
        Assert.Empty(elsewhere.Deliveries); // the signed body never went to the address the redirect named
        var redirected = Assert.Single(factory.Receiver.Redirected, d => JsonDocument.Parse(d.Body).RootElement.GetProperty("draftId").GetGuid() == id);
        var delivered = Assert.Single(factory.Receiver.Deliveries, d => JsonDocument.Parse(d.Body).RootElement.GetProperty("draftId").GetGuid() == id);
        Assert.Equal(redirected.DeliveryId, delivered.DeliveryId);
    }
}

public sealed class WebhookRefusedConnectionTests(RefusedWebhookAppFactory factory) : IClassFixture<RefusedWebhookAppFactory>
{
    [Fact]
    public async Task ADeliveryRefusedBecauseNothingListensIsRetriedAndArrivesOnceTheReceiverIsUp()
    {
        var (id, _) = await factory.PublishADraftAsync();
        await factory.WebhookLoggedAsync(id, "failed on attempt 1"); // refused: nothing listens yet

        await using var receiver = await WebhookReceiver.StartAsync(factory.Port);
        var attempt = await factory.DeliveredAsync(id);

        Assert.True(attempt >= 2, $"delivered on attempt {attempt}");
        var delivery = Assert.Single(receiver.Deliveries);
        Assert.True(delivery.IsSignedWith(WebhookTestAppFactory.Secret), "the signature does not match the id, timestamp and body");
        Assert.Equal(id, System.Text.Json.JsonDocument.Parse(delivery.Body).RootElement.GetProperty("draftId").GetGuid());
    }
}

public sealed class WebhookTimeoutTests(StallingWebhookAppFactory factory) : IClassFixture<StallingWebhookAppFactory>
{
    [Fact]
    public async Task ADeliveryTheReceiverHoldsPastTheTimeoutIsRetriedAndArrivesOnce()
    {
        factory.Receiver.StallNext();
        var (id, _) = await factory.PublishADraftAsync();

        Assert.Equal(2, await factory.DeliveredAsync(id));
        var stalled = Assert.Single(factory.Receiver.Stalled);
        var delivery = Assert.Single(factory.Receiver.Deliveries);
        Assert.Equal(stalled.DeliveryId, delivery.DeliveryId); // the same delivery, so a receiver can drop a duplicate
        Assert.Equal(stalled.Body, delivery.Body);
        Assert.True(delivery.IsSignedWith(WebhookTestAppFactory.Secret), "the signature does not match the id, timestamp and body");
    }
}
