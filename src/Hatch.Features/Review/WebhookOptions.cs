namespace Hatch.Features.Review;

/// <summary>
/// <c>Hatch:Webhooks</c>: an optional POST to <see cref="PublishUrl"/> when a draft is published, signed with
/// HMAC-SHA256 under <see cref="Secret"/> as Standard Webhooks sign (see <see cref="PublishWebhookJob"/>). Keep the secret out of files
/// (environment variable Hatch__Webhooks__Secret or user-secrets).
/// </summary>
public sealed class WebhookOptions : Microsoft.Extensions.Options.IValidateOptions<WebhookOptions>
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

    /// <summary>A half-configured webhook would silently send nothing; the app refuses to start and says which key is missing.</summary>
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        var hasUrl = !string.IsNullOrWhiteSpace(options.PublishUrl);
        if (hasUrl && !(Uri.TryCreate(options.PublishUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            failures.Add($"Hatch:Webhooks:PublishUrl '{options.PublishUrl}' is not an absolute http(s) address.");
        if (hasUrl && string.IsNullOrEmpty(options.Secret))
            failures.Add("Hatch:Webhooks:PublishUrl is set but Hatch:Webhooks:Secret is not: every delivery is signed, so nothing would be sent. Set the secret (environment variable Hatch__Webhooks__Secret or user-secrets), or remove the address.");
        if (!hasUrl && !string.IsNullOrEmpty(options.Secret))
            failures.Add("Hatch:Webhooks:Secret is set but Hatch:Webhooks:PublishUrl is not: set the address to send published drafts to, or remove the secret.");
        if (options.Timeout <= TimeSpan.Zero)
            failures.Add("Hatch:Webhooks:Timeout must be positive.");
        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }

    public bool IsEnabled => Uri.TryCreate(PublishUrl, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(Secret);
}
