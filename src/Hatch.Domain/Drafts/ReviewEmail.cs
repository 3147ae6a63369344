using Hatch.Domain.Email;

namespace Hatch.Domain.Drafts;

/// <summary>
/// An email telling one editor who opted in that a draft was submitted for review (table review_emails). One per
/// submission and editor: the submission is the draft's <see cref="Draft.SubmittedAt"/>, so a draft sent back and
/// submitted again notifies again, and a job that runs twice does not.
/// </summary>
public sealed class StoredReviewEmail : OutgoingEmail
{
    public Guid DraftId { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }

    public static StoredReviewEmail For(Guid draftId, DateTimeOffset submittedAt, string editorId, string toAddress, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        DraftId = draftId,
        SubmittedAt = submittedAt.ToUniversalTime(),
        UserId = editorId,
        ToAddress = toAddress,
        CreatedAt = now.ToUniversalTime(),
        UpdatedAt = now.ToUniversalTime(),
    };
}
