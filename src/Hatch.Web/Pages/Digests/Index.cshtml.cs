using System.Globalization;
using Hatch.Features.Email;
using Hatch.Domain.Articles;
using Hatch.Domain.Digests;
using Hatch.Domain.Email;
using Hatch.Features.Digests;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Pages.Digests;

/// <summary>The reader's digest schedule and the digests it has produced.</summary>
public sealed class IndexModel(DigestSettingsStore store, DigestDispatcher dispatcher, IOptions<EmailOptions> email) : UserPageModel
{
    public sealed class SettingsForm
    {
        public bool Enabled { get; set; }
        public DigestCadence Cadence { get; set; } = DigestCadence.Weekly;
        public string? Cron { get; set; }
        public string LocalTime { get; set; } = "09:00";
        public DayOfWeek DayOfWeek { get; set; } = DayOfWeek.Monday;
        public string TimeZone { get; set; } = "UTC";
        public int MinNewHighlights { get; set; } = 5;
        public int MaxHighlights { get; set; } = 40;
        public string Style { get; set; } = "essay";
        public string Language { get; set; } = "en";
        public bool SubmitForReview { get; set; }
        public DigestDelivery Delivery { get; set; } = DigestDelivery.Both;

        public static SettingsForm From(DigestSettings s) => new()
        {
            Enabled = s.Enabled, Cadence = s.Cadence, Cron = s.Cron, LocalTime = s.LocalTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            DayOfWeek = s.DayOfWeek, TimeZone = s.TimeZone, MinNewHighlights = s.MinNewHighlights, MaxHighlights = s.MaxHighlights,
            Style = s.Style, Language = s.Language, SubmitForReview = s.SubmitForReview, Delivery = s.Delivery,
        };
    }

    [BindProperty] public SettingsForm Form { get; set; } = new();

    public DateTimeOffset? NextRunAt { get; private set; }
    public IReadOnlyList<DigestRow> History { get; private set; } = [];
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public bool Saved { get; private set; }
    public IReadOnlyList<string> Styles => ArticleOptions.Styles;

    /// <summary>True until the reader first saves: the page then takes the time zone from the browser.</summary>
    public bool FirstVisit { get; private set; }

    /// <summary>A private feed address just made (shown once: only its hash is kept).</summary>
    public string? FeedUrl { get; private set; }

    [TempData] public string? Notice { get; set; }

    /// <summary>Every IANA zone this system knows, for the searchable list.</summary>
    public static IReadOnlyList<string> TimeZones { get; } = TimeZoneInfo.GetSystemTimeZones()
        .Where(z => z.HasIanaId).Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The next run as the reader's clock in their chosen zone shows it.</summary>
    /// <summary>"Monday 9 December, 08:00 (Europe/Berlin)": the stored next run (the dispatcher's own schedule code) on the reader's clock.</summary>
    public string? NextRunLocal => NextRunAt is { } next && DigestSettings.TryFindTimeZone(Form.TimeZone, out var zone)
        ? TimeZoneInfo.ConvertTime(next, zone).ToString("dddd d MMMM, HH:mm", CultureInfo.InvariantCulture) + $" ({Form.TimeZone})"
        : null;

    /// <summary>True when this server sends email (Hatch:Email); otherwise digests stay in the app and the page says how to turn email on.</summary>
    public bool EmailConfigured => email.Value.IsConfigured;

    /// <summary>The digest email's state in a few words: "sent 08:00", "failed: mailbox unavailable", "retrying: …".</summary>
    public string? EmailStatus(DigestRow row) => row.Email switch
    {
        null => null,
        { Status: Hatch.Domain.Email.EmailStatus.Sent, SentAt: var at } => $"sent {LocalTime(at ?? row.CreatedAt)}"
            + (row.Email.MaybeDuplicated ? " (an interrupted attempt may have delivered a second copy)" : ""),
        { Status: Hatch.Domain.Email.EmailStatus.Failed, Error: var error } => $"failed: {error}",
        { Status: Hatch.Domain.Email.EmailStatus.Retrying, Error: var error } => $"retrying: {error}",
        _ => "sending",
    };

    private string LocalTime(DateTimeOffset instant) =>
        (TimeZoneInfo.TryFindSystemTimeZoneById(Form.TimeZone, out var zone) ? TimeZoneInfo.ConvertTime(instant, zone) : instant)
            .ToString("HH:mm", CultureInfo.InvariantCulture);

    public string LocalDate(DateTimeOffset instant) =>
        (TimeZoneInfo.TryFindSystemTimeZoneById(Form.TimeZone, out var zone) ? TimeZoneInfo.ConvertTime(instant, zone) : instant)
            .ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var view = await store.GetAsync(UserId, ct);
        Form = SettingsForm.From(view.Settings);
        FirstVisit = !view.Stored;
        NextRunAt = view.NextRunAt;
        History = await store.HistoryAsync(UserId, 50, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TimeOnly.TryParseExact(Form.LocalTime, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var localTime))
            errors["localTime"] = ["must be a time of day in the form HH:mm, such as 09:00"];
        if (errors.Count == 0)
        {
            var settings = new DigestSettings
            {
                Enabled = Form.Enabled, Cadence = Form.Cadence, Cron = string.IsNullOrWhiteSpace(Form.Cron) ? null : Form.Cron.Trim(),
                LocalTime = localTime, DayOfWeek = Form.DayOfWeek, TimeZone = (Form.TimeZone ?? "").Trim(),
                MinNewHighlights = Form.MinNewHighlights, MaxHighlights = Form.MaxHighlights,
                Style = Form.Style, Language = (Form.Language ?? "").Trim(), SubmitForReview = Form.SubmitForReview, Delivery = Form.Delivery,
            };
            var (saved, problems) = await store.SaveAsync(UserId, settings, ct);
            if (saved is not null)
            {
                Saved = true;
                NextRunAt = saved.NextRunAt;
            }
            else errors = problems.ToDictionary();
        }
        Errors = errors;
        if (!Saved) NextRunAt = (await store.GetAsync(UserId, ct)).NextRunAt;
        History = await store.HistoryAsync(UserId, 50, ct);
        if (errors.Count > 0) Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>"Send me one now": a digest of the new highlights, written at once; the schedule is not moved.</summary>
    public async Task<IActionResult> OnPostSendNowAsync(CancellationToken ct)
    {
        await dispatcher.PlanNowAsync(UserId, ct);
        Notice = "A digest of your new highlights is on its way; it is listed below.";
        return RedirectToPage();
    }

    /// <summary>A new private feed address; the previous one stops working.</summary>
    public async Task<IActionResult> OnPostFeedAsync(CancellationToken ct)
    {
        var token = await store.RegenerateFeedTokenAsync(UserId, ct);
        await OnGetAsync(ct);
        FeedUrl = $"{Request.Scheme}://{Request.Host}{DigestSettingsStore.FeedPathFor(token)}";
        return Page();
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join("; ", messages) : null;
}
