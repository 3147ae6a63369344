namespace Hatch.Features.Digests;

/// <summary>
/// Signs the token of a digest email's one-click unsubscribe link, which works without signing in, so that only a
/// link Hatch itself made turns a reader's digests off. The web host implements it with ASP.NET Core Data Protection
/// (keys shared by every process), which this project may not reference.
/// </summary>
public interface IDigestLinkSigner
{
    string SignUnsubscribe(string userId);

    /// <summary>The reader the token was made for; null for a token that is not one of ours.</summary>
    string? VerifyUnsubscribe(string token);
}
