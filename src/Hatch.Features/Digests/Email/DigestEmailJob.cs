using Hangfire;
using Hatch.Features.Email;
using Hatch.Data;
using Hatch.Domain.Digests;
using Hatch.Domain.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Digests;

/// <summary>
/// Queues and sends the one email of a digest whose draft is stored. The email is a row of its own (unique per
/// digest); <see cref="EmailDelivery"/> makes and records each attempt, and a transient failure schedules the next
/// one with back-off. docs/digests.md says what a crash between these steps can cause.
/// </summary>
public sealed class DigestEmailJob(
    HatchDbContext db, EmailDelivery delivery, DigestEmailComposer composer, IBackgroundJobClient jobs,
    IOptions<EmailOptions> options, TimeProvider time)
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

        if (await delivery.AttemptAsync(email, options.Value.NewMessageId(), messageId => composer.Compose(draft, email.ToAddress, messageId), cancellationToken) is { } delay)
        {
            email.JobId = jobs.Schedule<DigestEmailJob>(job => job.SendAsync(digestId, CancellationToken.None), delay);
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }
}
