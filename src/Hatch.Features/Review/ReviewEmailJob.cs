using System.Globalization;
using System.Net;
using System.Text;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.Features.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hatch.Features.Review;

/// <summary>
/// Tells the editors who opted in (<see cref="HatchUser.EmailOnSubmission"/>) that a draft was submitted for review.
/// The notices are rows written in the submit's own transaction, so a submission and its notices stand or fall
/// together; each is then sent by its own job (<see cref="EmailDelivery"/> records every attempt), and the request
/// sweeper re-enqueues a notice whose job was lost between the commit and the enqueue.
/// </summary>
public sealed class ReviewEmailJob(HatchDbContext db, EmailDelivery delivery, IBackgroundJobClient jobs, IOptions<EmailOptions> options, TimeProvider time)
{
    /// <summary>Adds one notice per opted-in editor or admin other than the author; saved by the caller with the submission.</summary>
    public async Task<IReadOnlyList<StoredReviewEmail>> RecordAsync(Draft draft, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured || draft.SubmittedAt is not { } submittedAt) return [];
        var reviewerRoles = new[] { HatchUser.Roles.Editor, HatchUser.Roles.Admin };
        var recipients = await (from user in db.Users
                                where user.EmailOnSubmission && user.Id != draft.UserId && user.Email != null && user.Email != ""
                                where (from link in db.UserRoles
                                       join role in db.Roles on link.RoleId equals role.Id
                                       where link.UserId == user.Id && reviewerRoles.Contains(role.Name)
                                       select link).Any()
                                select new { user.Id, user.Email }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var notices = recipients.Select(r => StoredReviewEmail.For(draft.Id, submittedAt, r.Id, r.Email!, now)).ToList();
        db.ReviewEmails.AddRange(notices);
        return notices;
    }

    /// <summary>Enqueues the send job of each stored notice; one that fails to enqueue is left to the sweeper.</summary>
    public async Task EnqueueAsync(IEnumerable<Guid> emailIds, CancellationToken cancellationToken)
    {
        foreach (var id in emailIds)
        {
            var jobId = jobs.Enqueue<ReviewEmailJob>(job => job.SendAsync(id, CancellationToken.None));
            await db.ReviewEmails.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.JobId, jobId), cancellationToken);
        }
    }

    /// <summary>Hangfire's own retries are off: the job schedules its next attempt itself, so the wait and the reason are on the record.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(Guid emailId, CancellationToken cancellationToken)
    {
        var email = await db.ReviewEmails.FirstOrDefaultAsync(e => e.Id == emailId, cancellationToken);
        if (email is null || email.IsSettled) return;
        var notice = await (from d in db.Drafts.AsNoTracking()
                            join author in db.Users on d.UserId equals author.Id
                            where d.Id == email.DraftId
                            select new SubmissionNotice(d.Id, d.Title, d.Revision, author.DisplayName ?? author.Email ?? "an author"))
                           .FirstOrDefaultAsync(cancellationToken);
        if (notice is null)
        {
            email.Failed("the draft no longer exists", time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            return;
        }

        if (await delivery.AttemptAsync(email, options.Value.NewMessageId(), messageId => Compose(notice, email.ToAddress, messageId), cancellationToken) is { } delay)
        {
            email.JobId = jobs.Schedule<ReviewEmailJob>(job => job.SendAsync(emailId, CancellationToken.None), delay);
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    public sealed record SubmissionNotice(Guid DraftId, string Title, int Revision, string AuthorName);

    /// <summary>A short message with a plain-text and an HTML part; the title and the author's name are untrusted and encoded.</summary>
    public MimeMessage Compose(SubmissionNotice notice, string toAddress, string messageId)
    {
        var o = options.Value;
        var site = o.SiteUrl.TrimEnd('/');
        var draftLink = $"{site}/Drafts/{notice.DraftId}";
        var settingsLink = $"{site}/Review";
        var title = string.Join(' ', notice.Title.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        var author = string.Join(' ', notice.AuthorName.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From!));
        message.To.Add(MailboxAddress.Parse(toAddress));
        message.Subject = "Submitted for review: " + title;
        message.MessageId = messageId;

        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{author} submitted \"{title}\" (revision {notice.Revision}) for review.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Review it: {draftLink}")
            .AppendLine()
            .AppendLine("---")
            .AppendLine(CultureInfo.InvariantCulture, $"You asked to be emailed when a draft is submitted. Turn it off on the review queue: {settingsLink}");
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body>")
            .Append(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(author)} submitted <strong>{WebUtility.HtmlEncode(title)}</strong> (revision {notice.Revision}) for review.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{WebUtility.HtmlEncode(draftLink)}\">Review it</a></p>")
            .Append(CultureInfo.InvariantCulture, $"<hr><p>You asked to be emailed when a draft is submitted. <a href=\"{WebUtility.HtmlEncode(settingsLink)}\">Turn it off on the review queue</a>.</p>")
            .Append("</body></html>");
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }
}
