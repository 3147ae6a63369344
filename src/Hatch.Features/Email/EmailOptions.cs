using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Hatch.Features.Email;

/// <summary>
/// <c>Hatch:Email</c>: how digest emails leave Hatch. Off unless <see cref="Host"/> (SMTP through MailKit) or
/// <see cref="PickupDirectory"/> (one <c>.eml</c> file per message, for a machine without a mail server) is set.
/// </summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Hatch:Email";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>TLS on connect for port 465, STARTTLS (required) otherwise; false sends in the clear (a local relay).</summary>
    public bool UseTls { get; set; } = true;

    public string? User { get; set; }
    public string? Password { get; set; }

    /// <summary>The sender, such as <c>Hatch &lt;digests@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    public string? PickupDirectory { get; set; }

    /// <summary>The address readers open Hatch at: the links in an email (draft, settings, unsubscribe) start with it.</summary>
    public string SiteUrl { get; set; } = "http://localhost:5080";

    /// <summary>Attempts per email, counting the first; transient failures wait between them (<see cref="RetryBaseDelay"/>, doubling).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>For one SMTP conversation's network operations.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A Message-Id in the sender's domain (chosen once per email and kept for its retries).</summary>
    public string NewMessageId()
    {
        var from = MimeKit.MailboxAddress.Parse(From!);
        return MimeKit.Utils.MimeUtils.GenerateMessageId(from.Domain is { Length: > 0 } domain ? domain : "hatch.local");
    }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host) || !string.IsNullOrWhiteSpace(PickupDirectory);

    public bool UsesPickupDirectory => !string.IsNullOrWhiteSpace(PickupDirectory);

    /// <summary>The back-off before attempt <paramref name="attempt"/> + 1: base × 2^(attempt − 1), capped.</summary>
    public TimeSpan DelayAfter(int attempt) =>
        TimeSpan.FromTicks(Math.Min(RetryMaxDelay.Ticks, RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30))));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(SiteUrl, UriKind.Absolute, out var site) || site.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Hatch:Email:SiteUrl: '{SiteUrl}' is not an http(s) address", [nameof(SiteUrl)]);
        if (!IsConfigured) yield break;
        if (!string.IsNullOrWhiteSpace(Host) && UsesPickupDirectory)
            yield return new ValidationResult("Hatch:Email: set Host (send by SMTP) or PickupDirectory (write .eml files), not both", [nameof(Host), nameof(PickupDirectory)]);
        if (string.IsNullOrWhiteSpace(From))
            yield return new ValidationResult("Hatch:Email:From is required when email is on (an address such as Hatch <digests@example.com>)", [nameof(From)]);
        else if (!MailboxAddress.TryParse(From, out _))
            yield return new ValidationResult($"Hatch:Email:From: '{From}' is not an email address", [nameof(From)]);
        if (string.IsNullOrWhiteSpace(User) != string.IsNullOrWhiteSpace(Password))
            yield return new ValidationResult("Hatch:Email:User and Hatch:Email:Password go together: set both or neither", [nameof(User), nameof(Password)]);
    }
}
