using Hangfire;
using Hatch.Data;
using Hatch.Domain.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Sync;

/// <summary>The outcome of adding a connection.</summary>
public abstract record AddConnectionResult
{
    /// <summary>Stored (or, for a service and account already connected, its token replaced) and its first sync enqueued.</summary>
    public sealed record Added(Connection Connection, bool Created) : AddConnectionResult;

    /// <summary>The request or the service refused it; <see cref="Field"/> names what to fix.</summary>
    public sealed record Invalid(string Field, string Message) : AddConnectionResult;

    /// <summary>The service could not say whether the token is good (down, slow, rate limited).</summary>
    public sealed record Unavailable(string Message) : AddConnectionResult;
}

/// <summary>A reader's connections: add (verifying the token at once), list, sync now, remove.</summary>
public sealed partial class ConnectionService(
    HatchDbContext db,
    ReadwiseClient readwise,
    HypothesisClient hypothesis,
    IConnectionTokenProtector tokens,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<ConnectionService> logger)
{
    public async Task<AddConnectionResult> AddAsync(string userId, string? service, string? token, string? username, CancellationToken cancellationToken)
    {
        service = service?.Trim().ToLowerInvariant();
        token = token?.Trim();
        username = string.IsNullOrWhiteSpace(username) ? null : username.Trim();
        string? authority = null;
        if (!ConnectionServices.IsKnown(service))
            return new AddConnectionResult.Invalid("service", $"service must be '{ConnectionServices.Readwise}' or '{ConnectionServices.Hypothesis}'");
        if (string.IsNullOrEmpty(token))
            return new AddConnectionResult.Invalid("token", "token is required");
        if (token.Length > 500 || token.Any(char.IsControl))
            return new AddConnectionResult.Invalid("token", "token is not a token this service issues");

        try
        {
            if (service == ConnectionServices.Readwise)
            {
                username = null;
                if (await readwise.VerifyAsync(token, cancellationToken) == TokenVerdict.Rejected)
                    return new AddConnectionResult.Invalid("token", "Readwise rejected this access token; copy it again from readwise.io/access_token");
            }
            else
            {
                if (username is null) return new AddConnectionResult.Invalid("username", "username is required for Hypothesis");
                if (username.StartsWith("acct:", StringComparison.OrdinalIgnoreCase)) username = username[5..].Split('@')[0];
                var userIdThere = await hypothesis.ProfileUserIdAsync(token, cancellationToken);
                if (userIdThere is null)
                    return new AddConnectionResult.Invalid("token", "Hypothesis rejected this developer token; copy it again from hypothes.is/account/developer");
                var (name, domain) = HypothesisAccount.Parse(userIdThere);
                if (!name.Equals(username, StringComparison.OrdinalIgnoreCase))
                    return new AddConnectionResult.Invalid("username", $"this token belongs to the Hypothesis user '{name}', not '{username}'");
                username = name;
                // The search must ask for the account as the service names it: a self-hosted or third-party authority
                // has its own domain, and acct:NAME@hypothes.is would find nothing there.
                authority = domain;
            }
        }
        catch (SyncHttpException ex)
        {
            return new AddConnectionResult.Unavailable($"{ex.Message}; try again in a moment");
        }

        var now = time.GetUtcNow();
        var existing = await db.ConnectionsOf(userId)
            .FirstOrDefaultAsync(c => c.Service == service && c.Username == username, cancellationToken);
        bool created;
        Connection connection;
        if (existing is not null)
        {
            existing.ReplaceToken(tokens.Protect(token), token, now, authority);
            connection = existing;
            created = false;
        }
        else
        {
            connection = Connection.Create(userId, service!, username, tokens.Protect(token), token, now, authority);
            db.Connections.Add(connection);
            created = true;
        }
        await db.SaveChangesAsync(cancellationToken);
        LogAdded(connection.Id, service!, userId);
        Enqueue(connection.Id);
        return new AddConnectionResult.Added(connection, created);
    }

    public Task<List<Connection>> ListAsync(string userId, CancellationToken cancellationToken) =>
        db.ConnectionsOf(userId).AsNoTracking().OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken);

    public Task<Connection?> FindAsync(string userId, Guid id, CancellationToken cancellationToken) =>
        db.ConnectionsOf(userId).AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>Enqueues a sync now. Null when the connection is not the user's; false when it waits for a new token.</summary>
    public async Task<bool?> RequestSyncAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var connection = await FindAsync(userId, id, cancellationToken);
        if (connection is null) return null;
        if (!connection.CanSync) return false;
        Enqueue(id);
        return true;
    }

    /// <summary>Removes the connection and its token; the highlights it brought stay in the library.</summary>
    public async Task<bool> RemoveAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var removed = await db.ConnectionsOf(userId).Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0) LogRemoved(id, userId);
        return removed > 0;
    }

    private void Enqueue(Guid connectionId)
    {
        try
        {
            jobs.Enqueue<SyncJob>(job => job.RunAsync(connectionId, CancellationToken.None));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The connection is due now: the dispatcher enqueues it on its next pass.
            LogEnqueueFailed(ex, connectionId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Connection {ConnectionId} to {Service} saved for user {UserId}")]
    private partial void LogAdded(Guid connectionId, string service, string userId);

    [LoggerMessage(LogLevel.Information, "Connection {ConnectionId} of user {UserId} removed")]
    private partial void LogRemoved(Guid connectionId, string userId);

    [LoggerMessage(LogLevel.Error, "The sync of connection {ConnectionId} could not be enqueued; the dispatcher will")]
    private partial void LogEnqueueFailed(Exception ex, Guid connectionId);
}
