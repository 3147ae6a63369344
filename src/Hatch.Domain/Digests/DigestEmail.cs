using System.Text.Json.Serialization;

namespace Hatch.Domain.Digests;

/// <summary>How a reader's digests arrive: in the app only, by email only, or both (the draft is always stored).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DigestDelivery>))]
public enum DigestDelivery
{
    [JsonStringEnumMemberName("app")] App,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("both")] Both,
}

/// <summary>Where one digest email stands.</summary>
public enum DigestEmailStatus
{
    /// <summary>Recorded, no attempt yet.</summary>
    Pending,
    /// <summary>An attempt is recorded with its Message-Id and may be on the wire; no outcome yet.</summary>
    Sending,
    /// <summary>The last attempt failed for a reason that may pass (server down, 4xx); another is scheduled.</summary>
    Retrying,
    Sent,
    /// <summary>Refused for good (5xx), or every attempt used; <see cref="StoredDigestEmail.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// The one email of one digest (table digest_emails, unique per digest). Every attempt is recorded, with the
/// Message-Id it carries, before the message goes to the server: a worker killed mid-send leaves the row in
/// <see cref="DigestEmailStatus.Sending"/>, and the next run knows that a copy may already have arrived.
/// </summary>
public sealed class StoredDigestEmail
{
    public Guid Id { get; set; }
    public Guid DigestId { get; set; }
    public required string UserId { get; set; }
    public required string ToAddress { get; set; }
    public DigestEmailStatus Status { get; private set; } = DigestEmailStatus.Pending;
    /// <summary>Chosen at the first attempt and kept for every retry, so mail clients see any second copy as the same message.</summary>
    public string? MessageId { get; private set; }
    public int Attempts { get; private set; }
    /// <summary>True when an attempt was interrupted after it was recorded: the reader may have two copies (same Message-Id).</summary>
    public bool MaybeDuplicated { get; private set; }
    public string? Error { get; private set; }
    public string? JobId { get; set; }
    public DateTimeOffset? LastAttemptAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsSettled => Status is DigestEmailStatus.Sent or DigestEmailStatus.Failed;

    public static StoredDigestEmail For(StoredDigest digest, string toAddress, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        DigestId = digest.Id,
        UserId = digest.UserId,
        ToAddress = toAddress,
        CreatedAt = now.ToUniversalTime(),
        UpdatedAt = now.ToUniversalTime(),
    };

    /// <summary>Records an attempt about to be made; <paramref name="newMessageId"/> is used only if none was chosen before.</summary>
    public void BeginAttempt(string newMessageId, DateTimeOffset now)
    {
        if (IsSettled) throw new InvalidOperationException($"The digest email is {Status}; it is not sent again.");
        if (Status == DigestEmailStatus.Sending) MaybeDuplicated = true;
        MessageId ??= newMessageId;
        Status = DigestEmailStatus.Sending;
        Attempts++;
        LastAttemptAt = UpdatedAt = now.ToUniversalTime();
    }

    public void Succeeded(DateTimeOffset now)
    {
        Status = DigestEmailStatus.Sent;
        Error = null;
        SentAt = UpdatedAt = now.ToUniversalTime();
    }

    /// <summary>The server was not reached or said "try later": nothing was delivered by this attempt.</summary>
    public void WillRetry(string reason, DateTimeOffset now)
    {
        Status = DigestEmailStatus.Retrying;
        Error = reason;
        UpdatedAt = now.ToUniversalTime();
    }

    public void Failed(string reason, DateTimeOffset now)
    {
        Status = DigestEmailStatus.Failed;
        Error = reason;
        UpdatedAt = now.ToUniversalTime();
    }
}
