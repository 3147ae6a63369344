namespace Hatch.Features.Review;

/// <summary>
/// <c>Hatch:Webhooks</c>: an optional POST to <see cref="PublishUrl"/> when a draft is published, its body signed with
/// HMAC-SHA256 under <see cref="Secret"/> in <c>X-Hatch-Signature: sha256=HEX</c>. Keep the secret out of files
/// (environment variable Hatch__Webhooks__Secret or user-secrets).
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Hatch:Webhooks";

    public string? PublishUrl { get; set; }

    public string? Secret { get; set; }

    /// <summary>The site's public base address (e.g. https://hatch.example.com), so the payload can carry the article's absolute URL.</summary>
    public string? SiteUrl { get; set; }

    public static IReadOnlyList<TimeSpan> DefaultRetryDelays { get; } =
        [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    /// <summary>
    /// The wait before each retry after a failed delivery; the number of entries is the number of retries. Unset, it is
    /// <see cref="DefaultRetryDelays"/> (configuration binding would append to a non-empty default rather than replace it).
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public IReadOnlyList<TimeSpan> Delays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;

    /// <summary>One delivery attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsEnabled => Uri.TryCreate(PublishUrl, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(Secret);
}
