using System.Text.Json.Serialization;
using Hatch.Domain.Email;

namespace Hatch.Domain.Digests;

/// <summary>How a reader's digests arrive: in the app only, by email only, or both (the draft is always stored).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DigestDelivery>))]
public enum DigestDelivery
{
    [JsonStringEnumMemberName("app")] App,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("both")] Both,
}

/// <summary>
/// The one email of one digest (table digest_emails, unique per digest); its attempts are recorded as
/// <see cref="OutgoingEmail"/> says.
/// </summary>
public sealed class StoredDigestEmail : OutgoingEmail
{
    public Guid DigestId { get; set; }

    public static StoredDigestEmail For(StoredDigest digest, string toAddress, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        DigestId = digest.Id,
        UserId = digest.UserId,
        ToAddress = toAddress,
        CreatedAt = now.ToUniversalTime(),
        UpdatedAt = now.ToUniversalTime(),
    };
}
