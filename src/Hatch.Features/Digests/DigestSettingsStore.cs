using Hatch.Data;
using Hatch.Domain.Digests;
using Hatch.Domain.Email;
using Hatch.Domain.Requests;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Features.Digests;

/// <summary>A reader's digest settings with the next run they lead to, as the API and the settings page show them.</summary>
public sealed record DigestSettingsView(DigestSettings Settings, DateTimeOffset? NextRunAt, bool Stored = true);

/// <summary>Reads and saves a reader's digest settings; shared by <c>/api/digest-settings</c> and the settings page.</summary>
public sealed class DigestSettingsStore(HatchDbContext db, TimeProvider time)
{
    /// <summary>The stored settings, or the defaults (off) for a reader who never saved any.</summary>
    public async Task<DigestSettingsView> GetAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.DigestSettings.AsNoTracking().FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken) is { } row
            ? new DigestSettingsView(row.Settings, row.NextRunAt)
            : new DigestSettingsView(new DigestSettings(), null, Stored: false);

    /// <summary>Validates and stores; the errors name the JSON fields. Saving recomputes the next run.</summary>
    public async Task<(DigestSettingsView? Saved, IReadOnlyList<DigestSettingsError> Errors)> SaveAsync(
        string userId, DigestSettings settings, CancellationToken cancellationToken = default)
    {
        var errors = DigestSettingsValidator.Validate(settings);
        if (errors.Count > 0) return (null, errors);

        var now = time.GetUtcNow();
        var row = await db.DigestSettings.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null)
            db.DigestSettings.Add(row = StoredDigestSettings.For(userId, settings, DigestPlanner.NextRunAtFor(settings, now), now));
        else
            row.Apply(settings, DigestPlanner.NextRunAtFor(settings, now), now);
        await db.SaveChangesAsync(cancellationToken);
        return (new DigestSettingsView(settings, row.NextRunAt), []);
    }

    /// <summary>Turns the reader's digests off (the one-click unsubscribe); false if they had none on.</summary>
    public async Task<bool> TurnOffAsync(string userId, CancellationToken cancellationToken = default)
    {
        var row = await db.DigestSettings.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null || !row.Enabled) return false;
        row.Apply(row.Settings with { Enabled = false }, null, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// A new secret token for the reader's private feed; the previous one stops working at once. Only its SHA-256 is
    /// stored, so a copy of the database does not open anyone's feed and the token is shown once.
    /// </summary>
    public async Task<string> RegenerateFeedTokenAsync(string userId, CancellationToken cancellationToken = default)
    {
        var token = Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var row = await db.DigestSettings.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null) db.DigestSettings.Add(row = StoredDigestSettings.For(userId, new DigestSettings(), null, now));
        row.FeedTokenHash = HashOf(token);
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>The private feed's path for a token (served by the web host's DigestFeed).</summary>
    public static string FeedPathFor(string token) => $"/digests/{Uri.EscapeDataString(token)}/feed.atom";

    /// <summary>The reader whose current feed token this is; null for an unknown or replaced token.</summary>
    public async Task<string?> ReaderOfFeedTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return null;
        var hash = HashOf(token);
        return await db.DigestSettings.AsNoTracking().Where(s => s.FeedTokenHash == hash).Select(s => s.UserId).FirstOrDefaultAsync(cancellationToken);
    }

    private static string HashOf(string token) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The reader's digests, newest first, with the status and draft of the hatch each one became.</summary>
    public async Task<IReadOnlyList<DigestRow>> HistoryAsync(string userId, int take = 100, CancellationToken cancellationToken = default) =>
        await (from d in db.DigestsOf(userId).AsNoTracking()
               join r in db.HatchRequests.AsNoTracking() on d.RequestId equals r.Id into requests
               from r in requests.DefaultIfEmpty()
               join m in db.DigestEmails.AsNoTracking() on d.Id equals m.DigestId into emails
               from m in emails.DefaultIfEmpty()
               orderby d.PeriodEnd descending, d.CreatedAt descending
               select new DigestRow(
                   d.Id, d.PeriodStart, d.PeriodEnd, d.CatchUp,
                   r == null ? d.Status
                       : r.Status == RequestStatus.Succeeded ? DigestStatus.Succeeded
                       : r.Status == RequestStatus.Failed ? DigestStatus.Failed
                       : r.Status == RequestStatus.Running ? DigestStatus.Running
                       : d.Status,
                   d.SkipReason, r == null ? d.Error : r.Error, d.NewHighlights, d.RequestId, r == null ? null : r.DraftId, d.CreatedAt,
                   m == null ? null : new DigestEmailView(m.Status, m.Error, m.SentAt, m.Attempts, m.MaybeDuplicated)))
            .Take(take)
            .ToListAsync(cancellationToken);
}

/// <summary>One digest in <c>GET /api/digests</c>: its period, status, and the skip reason or error.</summary>
public sealed record DigestRow(
    Guid Id, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, bool CatchUp, DigestStatus Status,
    string? SkipReason, string? Error, int? NewHighlights, Guid? RequestId, Guid? DraftId, DateTimeOffset CreatedAt,
    DigestEmailView? Email = null);

/// <summary>Where a digest's email stands: status, the reason it failed or waits, when it was sent.</summary>
public sealed record DigestEmailView(EmailStatus Status, string? Error, DateTimeOffset? SentAt, int Attempts, bool MaybeDuplicated);
