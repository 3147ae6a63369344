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
/// Tells <c>Hatch:Webhooks:PublishUrl</c> that a draft was published, signed as Standard Webhooks
/// (https://www.standardwebhooks.com) sign: <c>webhook-id</c> (the same across retries, so the receiver can drop
/// duplicates), <c>webhook-timestamp</c> (the attempt's Unix seconds) and <c>webhook-signature: v1,BASE64</c>, the
/// HMAC-SHA256 of <c>id.timestamp.body</c> under the secret. Signing the time lets a receiver refuse a captured
/// request replayed later. Redirects are not followed: a 3xx is a failed attempt, so a receiver cannot bounce the
/// signed body elsewhere. A failed delivery (an error status, a timeout, no connection) is scheduled again after the
/// next of <see cref="WebhookOptions.RetryDelays"/>.
/// </summary>
public sealed partial class PublishWebhookJob(
    HatchDbContext db, IHttpClientFactory http, IBackgroundJobClient jobs, IOptions<WebhookOptions> options, TimeProvider time, ILogger<PublishWebhookJob> logger)
{
    public const string HttpClientName = "Hatch.Webhooks";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string EventHeader = "X-Hatch-Event";
    public const string PublishedEvent = "draft.published";

    /// <summary>How old a timestamp a receiver should accept (Standard Webhooks' recommendation); older is a replay.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

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
            var id = $"{draftId:N}-{draft.PublishedAt!.Value.ToUnixTimeMilliseconds()}";
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            message.Headers.Add(IdHeader, id);
            message.Headers.Add(TimestampHeader, timestamp);
            message.Headers.Add(SignatureHeader, Sign(id, timestamp, body, o.Secret!));
            message.Headers.Add(EventHeader, PublishedEvent);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(o.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(message, timeout.Token);
            failure = response.IsSuccessStatusCode ? null
                : (int)response.StatusCode is >= 300 and < 400 ? $"{(int)response.StatusCode} {response.StatusCode} (redirects are not followed; point PublishUrl at the final address)"
                : $"{(int)response.StatusCode} {response.StatusCode}";
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

    /// <summary>"v1," and the Base64 HMAC-SHA256 of <c>id.timestamp.body</c> under the secret's key.</summary>
    public static string Sign(string id, string timestamp, byte[] body, string secret)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), signed));
    }

    /// <summary>
    /// A Standard Webhooks secret (<c>whsec_</c> and Base64) is its decoded bytes, so their libraries verify Hatch's
    /// requests as they are; any other secret is its UTF-8 bytes.
    /// </summary>
    public static byte[] KeyOf(string secret)
    {
        if (secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            try { return Convert.FromBase64String(secret["whsec_".Length..]); }
            catch (FormatException) { }
        }
        return Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>
    /// For receivers (and tests): the timestamp is within <see cref="Tolerance"/> of <paramref name="now"/> and one of
    /// the space-separated signatures matches, compared in constant time.
    /// </summary>
    public static bool Verify(string? id, string? timestamp, byte[] body, string secret, string? signatures, DateTimeOffset now)
    {
        if (id is null || signatures is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(id, timestamp!, body, secret));
        return signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(candidate => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate)));
    }

    [LoggerMessage(LogLevel.Information, "Publish webhook for draft {DraftId} delivered on attempt {Attempt}")]
    private partial void LogDelivered(Guid draftId, int attempt);

    [LoggerMessage(LogLevel.Warning, "Publish webhook for draft {DraftId} failed on attempt {Attempt} ({Failure}); retrying in {Delay}")]
    private partial void LogRetry(Guid draftId, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Publish webhook for draft {DraftId} gave up after {Attempt} attempts ({Failure})")]
    private partial void LogGaveUp(Guid draftId, int attempt, string failure);

    [LoggerMessage(LogLevel.Warning, "Publish webhook for draft {DraftId} skipped: the draft is not published")]
    private partial void LogNotPublished(Guid draftId);
}
