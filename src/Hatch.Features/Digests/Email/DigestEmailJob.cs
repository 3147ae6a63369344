using System.Net.Sockets;
using Hangfire;
using Hatch.Data;
using Hatch.Domain.Digests;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Digests;

/// <summary>
/// Queues and sends the one email of a digest whose draft is stored. The email is a row of its own (unique per
/// digest); each attempt is recorded with its Message-Id before the message leaves, then marked Sent, Retrying (a
/// transient failure: no connection, a 4xx reply; another attempt is scheduled with back-off) or Failed (a 5xx reply,
/// or every attempt used). docs/digests.md says what a crash between these steps can cause.
/// </summary>
public sealed partial class DigestEmailJob(
    HatchDbContext db, DigestMailSender sender, DigestEmailComposer composer, IBackgroundJobClient jobs,
    IOptions<EmailOptions> options, TimeProvider time, ILogger<DigestEmailJob> logger)
{
    /// <summary>
    /// Called by <see cref="DigestJob"/> once the digest succeeded (and again by a rerun of it): records the email if
    /// the reader wants one and email is on, and enqueues its job unless one was enqueued already.
    /// </summary>
    public async Task QueueAsync(Guid digestId, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured) return;
        var email = await db.DigestEmails.FirstOrDefaultAsync(e => e.DigestId == digestId, cancellationToken);
        if (email is null)
        {
            var digest = await db.Digests.AsNoTracking().FirstAsync(d => d.Id == digestId, cancellationToken);
            var settings = await db.DigestSettings.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == digest.UserId, cancellationToken);
            if (settings is null || !settings.Settings.WantsEmail) return;
            var address = await db.Users.AsNoTracking().Where(u => u.Id == digest.UserId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(address)) return;
            email = StoredDigestEmail.For(digest, address, time.GetUtcNow());
            db.DigestEmails.Add(email);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another run of this digest's job recorded it first; the unique index kept it to one.
                db.ChangeTracker.Clear();
                return;
            }
        }
        if (email.JobId is not null || email.IsSettled) return;
        email.JobId = jobs.Enqueue<DigestEmailJob>(job => job.SendAsync(digestId, CancellationToken.None));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Hangfire's own retries are off: this job schedules its next attempt itself, so the wait and the reason are on the record.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(Guid digestId, CancellationToken cancellationToken)
    {
        var email = await db.DigestEmails.FirstOrDefaultAsync(e => e.DigestId == digestId, cancellationToken);
        if (email is null || email.IsSettled) return;
        var draftId = await (from d in db.Digests
                             join r in db.HatchRequests on d.RequestId equals r.Id
                             where d.Id == digestId
                             select r.DraftId).FirstOrDefaultAsync(cancellationToken);
        var draft = draftId is { } id
            ? await db.Drafts.AsNoTracking().Include(d => d.Highlights).ThenInclude(h => h.Highlight).AsSplitQuery()
                .FirstOrDefaultAsync(d => d.Id == id, cancellationToken)
            : null;
        var now = time.GetUtcNow();
        if (draft is null)
        {
            email.Failed("the digest's draft no longer exists", now);
            await db.SaveChangesAsync(CancellationToken.None);
            return;
        }

        if (email.Status == DigestEmailStatus.Sending) LogInterrupted(digestId, email.MessageId);
        email.BeginAttempt(composer.NewMessageId(), now);
        // Committed before the message leaves: a crash from here on is visible as Sending with this Message-Id.
        await db.SaveChangesAsync(cancellationToken);

        var message = composer.Compose(draft, email.ToAddress, email.MessageId!);
        try
        {
            await sender.SendAsync(message, cancellationToken);
            email.Succeeded(time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            LogSent(digestId, email.MessageId!, email.Attempts);
        }
        catch (Exception ex) when (Classify(ex) is { } failure)
        {
            var after = time.GetUtcNow();
            if (failure.Permanent || email.Attempts >= options.Value.MaxAttempts)
            {
                var reason = failure.Permanent ? failure.Reason : $"gave up after {email.Attempts} attempts: {failure.Reason}";
                email.Failed(reason, after);
                await db.SaveChangesAsync(CancellationToken.None);
                LogFailed(ex, digestId, reason);
                return;
            }
            var delay = options.Value.DelayAfter(email.Attempts);
            email.WillRetry(failure.Reason, after);
            email.JobId = jobs.Schedule<DigestEmailJob>(job => job.SendAsync(digestId, CancellationToken.None), delay);
            await db.SaveChangesAsync(CancellationToken.None);
            LogRetrying(digestId, failure.Reason, email.Attempts, delay.TotalSeconds);
        }
    }

    /// <summary>
    /// Which failures are worth another attempt. A 4xx reply, a refused or dropped connection and a timeout mean
    /// the message was not accepted and may be later; a 5xx reply is the server's final word. Anything else (a bug,
    /// a bad setting) is not ours to classify and fails the job for Hangfire's dashboard.
    /// </summary>
    internal static SendFailure? Classify(Exception ex) => ex switch
    {
        SmtpCommandException { StatusCode: var code } smtp when (int)code >= 500 => new SendFailure(true, ReasonOf(smtp)),
        SmtpCommandException smtp => new SendFailure(false, ReasonOf(smtp)),
        SocketException socket => new SendFailure(false, $"cannot reach the mail server ({socket.SocketErrorCode})"),
        SmtpProtocolException or ServiceNotConnectedException or IOException or TimeoutException => new SendFailure(false, ex.Message),
        OperationCanceledException => null,
        _ => null,
    };

    private static string ReasonOf(SmtpCommandException smtp) =>
        string.IsNullOrWhiteSpace(smtp.Message) ? $"the mail server answered {(int)smtp.StatusCode}" : smtp.Message.Trim();

    internal sealed record SendFailure(bool Permanent, string Reason);

    [LoggerMessage(LogLevel.Information, "Digest {DigestId} emailed as {MessageId} (attempt {Attempts})")]
    private partial void LogSent(Guid digestId, string messageId, int attempts);

    [LoggerMessage(LogLevel.Warning, "Digest {DigestId} email not sent, retrying: {Reason} (attempt {Attempts}; next in {DelaySeconds} s)")]
    private partial void LogRetrying(Guid digestId, string reason, int attempts, double delaySeconds);

    [LoggerMessage(LogLevel.Warning, "Digest {DigestId} email failed: {Reason}")]
    private partial void LogFailed(Exception ex, Guid digestId, string reason);

    [LoggerMessage(LogLevel.Warning, "Digest {DigestId}: an earlier attempt to send {MessageId} was interrupted; it may have been delivered, so this copy carries the same Message-Id")]
    private partial void LogInterrupted(Guid digestId, string? messageId);
}
