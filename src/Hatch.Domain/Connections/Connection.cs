namespace Hatch.Domain.Connections;

/// <summary>Where a connection stands, as the page and <c>GET /api/connections</c> show it.</summary>
public enum ConnectionStatus
{
    /// <summary>Waiting for its next sync (or never synced yet).</summary>
    Idle,

    /// <summary>A sync holds the connection's lease right now.</summary>
    Syncing,

    /// <summary>The service rejected the token (401): no sync runs until the reader gives a new one.</summary>
    NeedsToken,

    /// <summary>The last sync gave up after its retries; the reason is in <see cref="Connection.Error"/> and the next one tries again.</summary>
    Failed,
}

/// <summary>The services a reader can connect, by the names the API takes.</summary>
public static class ConnectionServices
{
    public const string Readwise = "readwise";
    public const string Hypothesis = "hypothesis";

    public static bool IsKnown(string? service) => service is Readwise or Hypothesis;
}

/// <summary>
/// A reader's link to a highlight service: the token (encrypted by the host before it gets here), where the last sync
/// stopped, and what it did. A sync run is resumable: <see cref="Cursor"/> is saved after every page, and
/// <see cref="RunStartedAt"/> stays set until the run finishes, so a run that died is continued rather than restarted.
/// </summary>
public sealed class Connection
{
    public Guid Id { get; private set; }
    public string UserId { get; private set; } = "";
    public string Service { get; private set; } = "";

    /// <summary>The account name at the service (Hypothesis needs it to search the reader's annotations).</summary>
    public string? Username { get; private set; }

    /// <summary>
    /// The account's authority at the service: for Hypothesis the DOMAIN of the verified profile's <c>acct:NAME@DOMAIN</c>
    /// (<c>hypothes.is</c> on the public service, another on a self-hosted or third-party one). Null for Readwise, and
    /// for connections made before it was recorded (read as <c>hypothes.is</c>).
    /// </summary>
    public string? Authority { get; private set; }

    /// <summary>The token as the host's data protection encrypted it; never the token itself.</summary>
    public string ProtectedToken { get; private set; } = "";

    /// <summary>The token's last four characters, so the reader can tell tokens apart without Hatch showing one.</summary>
    public string TokenHint { get; private set; } = "";

    public ConnectionStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? LastSyncedAt { get; private set; }

    /// <summary>Highlights this connection added to the library so far (edits and duplicates are not counted).</summary>
    public int Imported { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Where the run in progress continues: Readwise's <c>nextPageCursor</c>, Hypothesis's <c>search_after</c>.</summary>
    public string? Cursor { get; private set; }

    /// <summary>When the run in progress started; null when no run is in progress.</summary>
    public DateTimeOffset? RunStartedAt { get; private set; }

    /// <summary>
    /// What a new run asks for changes since: for Readwise the start of the last run that finished (its
    /// <c>updatedAfter</c>), for Hypothesis the last <c>updated</c> it saw (its <c>search_after</c>). Null: everything.
    /// </summary>
    public string? Watermark { get; private set; }

    /// <summary>The watermark the run in progress asked with, kept so a resumed run asks the same question.</summary>
    public string? RunWatermark { get; private set; }

    public DateTimeOffset? NextSyncAt { get; private set; }

    /// <summary>
    /// When a sync last listed every upstream id and removed what was gone (Hypothesis, whose search does not report
    /// deletions); null until the first one.
    /// </summary>
    public DateTimeOffset? ReconciledAt { get; private set; }

    /// <summary>Who holds the connection's sync lease, and until when: one sync per connection across every worker.</summary>
    public string? LeaseOwner { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Connection Create(string userId, string service, string? username, string protectedToken, string token, DateTimeOffset now, string? authority = null)
    {
        if (!ConnectionServices.IsKnown(service)) throw new ArgumentException($"Unknown service '{service}'.", nameof(service));
        return new Connection
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Service = service,
            Username = username,
            Authority = authority,
            ProtectedToken = protectedToken,
            TokenHint = HintOf(token),
            Status = ConnectionStatus.Idle,
            CreatedAt = now.ToUniversalTime(),
            UpdatedAt = now.ToUniversalTime(),
            NextSyncAt = now.ToUniversalTime(),
        };
    }

    /// <summary>The last four characters, and only when the token is long enough that they give little of it away.</summary>
    public static string HintOf(string token) => token.Length >= 12 ? token[^4..] : "";

    /// <summary>A new token from the reader: the connection syncs again from where it stood, at once.</summary>
    public void ReplaceToken(string protectedToken, string token, DateTimeOffset now, string? authority = null)
    {
        if (authority is not null) Authority = authority;
        ProtectedToken = protectedToken;
        TokenHint = HintOf(token);
        if (Status is ConnectionStatus.NeedsToken or ConnectionStatus.Failed) Status = ConnectionStatus.Idle;
        Error = null;
        NextSyncAt = now.ToUniversalTime();
        UpdatedAt = now.ToUniversalTime();
    }

    public bool CanSync => Status != ConnectionStatus.NeedsToken;
}
