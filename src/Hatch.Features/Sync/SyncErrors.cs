namespace Hatch.Features.Sync;

/// <summary>
/// A service answered with an error or not at all. <see cref="Status"/> is null for a network fault or a timeout;
/// the message never contains the token.
/// </summary>
public sealed class SyncHttpException(string message, int? status = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool TokenRejected => Status is 401 or 403;
    public bool RateLimited => Status == 429;

    /// <summary>Worth another try: server errors, rate limits, timeouts and network faults; never a rejected token or a bad request.</summary>
    public bool Transient => Status is null or 408 or 429 or >= 500;
}

/// <summary>Encrypts connection tokens at rest. The host supplies it (ASP.NET Core Data Protection, keys in the database).</summary>
public interface IConnectionTokenProtector
{
    string Protect(string token);

    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> when the keys that encrypted it are gone.</summary>
    string Unprotect(string protectedToken);
}
