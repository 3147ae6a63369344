namespace Hatch.Domain.Email;

/// <summary>Where one outgoing email stands.</summary>
public enum EmailStatus
{
    /// <summary>Recorded, no attempt yet.</summary>
    Pending,
    /// <summary>An attempt is recorded with its Message-Id and may be on the wire; no outcome yet.</summary>
    Sending,
    /// <summary>The last attempt failed for a reason that may pass (server down, 4xx); another is scheduled.</summary>
    Retrying,
    Sent,
    /// <summary>Refused for good (5xx), or every attempt used; <see cref="OutgoingEmail.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// One email Hatch sends, as a row of its own. Every attempt is recorded, with the Message-Id it carries, before
/// the message goes to the server: a worker killed mid-send leaves the row in <see cref="EmailStatus.Sending"/>,
/// and the next run knows that a copy may already have arrived. Digest emails and review notifications share it.
/// </summary>
public abstract class OutgoingEmail
{
    public Guid Id { get; set; }
    /// <summary>The recipient's account.</summary>
    public required string UserId { get; set; }
    public required string ToAddress { get; set; }
    public EmailStatus Status { get; private set; } = EmailStatus.Pending;
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
    public DateTimeOffset UpdatedAt { get; protected set; }

    public bool IsSettled => Status is EmailStatus.Sent or EmailStatus.Failed;

    /// <summary>Records an attempt about to be made; <paramref name="newMessageId"/> is used only if none was chosen before.</summary>
    public void BeginAttempt(string newMessageId, DateTimeOffset now)
    {
        if (IsSettled) throw new InvalidOperationException($"The email is {Status}; it is not sent again.");
        if (Status == EmailStatus.Sending) MaybeDuplicated = true;
        MessageId ??= newMessageId;
        Status = EmailStatus.Sending;
        Attempts++;
        LastAttemptAt = UpdatedAt = now.ToUniversalTime();
    }

    public void Succeeded(DateTimeOffset now)
    {
        Status = EmailStatus.Sent;
        Error = null;
        SentAt = UpdatedAt = now.ToUniversalTime();
    }

    /// <summary>The server was not reached or said "try later": nothing was delivered by this attempt.</summary>
    public void WillRetry(string reason, DateTimeOffset now)
    {
        Status = EmailStatus.Retrying;
        Error = reason;
        UpdatedAt = now.ToUniversalTime();
    }

    public void Failed(string reason, DateTimeOffset now)
    {
        Status = EmailStatus.Failed;
        Error = reason;
        UpdatedAt = now.ToUniversalTime();
    }
}
