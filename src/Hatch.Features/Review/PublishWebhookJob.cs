using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Review;

/// <summary>
/// Tells <c>Hatch:Webhooks:PublishUrl</c> that a draft was published: a JSON body signed with HMAC-SHA256 under the
/// secret (<c>X-Hatch-Signature: sha256=HEX</c> over the exact body bytes), with the event and a delivery id that
/// stays the same across retries so the receiver can drop duplicates. A failed delivery (an error status, a timeout,
/// no connection) is scheduled again after the next of <see cref="WebhookOptions.RetryDelays"/>.
/// </summary>
public sealed partial class PublishWebhookJob(
    HatchDbContext db, IHttpClientFactory http, IBackgroundJobClient jobs, IOptions<WebhookOptions> options, ILogger<PublishWebhookJob> logger)
{
    public const string HttpClientName = "Hatch.Webhooks";
    public const string SignatureHeader = "X-Hatch-Signature";
    public const string EventHeader = "X-Hatch-Event";
    public const string DeliveryHeader = "X-Hatch-Delivery";
    public const string PublishedEvent = "draft.published";

    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(Guid draftId, int attempt, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object?> { ["DraftId"] = draftId });
        var o = options.Value;
        if (!o.IsEnabled) return;
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.Id == draftId, cancellationToken);
        if (draft is null || draft.Status != DraftStatus.Published || draft.Slug is null)
        {
            LogNotPublished(draftId);
            return;
        }
        var author = await db.Users.AsNoTracking().Where(u => u.Id == draft.UserId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var body = Payload(draft, HatchUser.PublicName(author, draft.AuthorName), o.SiteUrl);

        string? failure;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, o.PublishUrl) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            message.Headers.Add(SignatureHeader, Sign(body, o.Secret!));
            message.Headers.Add(EventHeader, PublishedEvent);
            message.Headers.Add(DeliveryHeader, $"{draftId:N}-{draft.PublishedAt!.Value.ToUnixTimeMilliseconds()}");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(o.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(message, timeout.Token);
            failure = response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            failure = ex.Message;
        }

        if (failure is null)
        {
            LogDelivered(draftId, attempt + 1);
            return;
        }
        if (attempt < o.Delays.Count)
        {
            var delay = o.Delays[attempt];
            LogRetry(draftId, attempt + 1, failure, delay);
            jobs.Schedule<PublishWebhookJob>(job => job.SendAsync(draftId, attempt + 1, CancellationToken.None), delay);
            return;
        }
        LogGaveUp(draftId, attempt + 1, failure);
    }

    /// <summary>The body: public facts about the publication only (no notes, no unpublished highlights).</summary>
    public static byte[] Payload(Draft draft, string authorName, string? siteUrl)
    {
        var path = "/a/" + draft.Slug;
        var url = Uri.TryCreate(siteUrl, UriKind.Absolute, out var site) ? new Uri(site, path).AbsoluteUri : null;
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            @event = PublishedEvent,
            draftId = draft.Id,
            title = draft.Title,
            slug = draft.Slug,
            path,
            url,
            author = authorName,
            language = draft.Language,
            publishedAt = draft.PublishedAt!.Value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            revision = draft.Revision,
        }, JsonSerializerOptions.Web);
    }

    /// <summary>"sha256=" and the lower-case hex HMAC-SHA256 of the body under the secret.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>For receivers (and tests): compares in constant time.</summary>
    public static bool Verify(byte[] body, string secret, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body, secret)), Encoding.ASCII.GetBytes(signature));

    [LoggerMessage(LogLevel.Information, "Publish webhook for draft {DraftId} delivered on attempt {Attempt}")]
    private partial void LogDelivered(Guid draftId, int attempt);

    [LoggerMessage(LogLevel.Warning, "Publish webhook for draft {DraftId} failed on attempt {Attempt} ({Failure}); retrying in {Delay}")]
    private partial void LogRetry(Guid draftId, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Publish webhook for draft {DraftId} gave up after {Attempt} attempts ({Failure})")]
    private partial void LogGaveUp(Guid draftId, int attempt, string failure);

    [LoggerMessage(LogLevel.Warning, "Publish webhook for draft {DraftId} skipped: the draft is not published")]
    private partial void LogNotPublished(Guid draftId);
}
