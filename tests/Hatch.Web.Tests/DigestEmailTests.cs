using System.Net;
using System.Net.Http.Json;
using Hatch.Features.Email;
using Hatch.Data;
using Hatch.Domain.Digests;
using Hatch.Domain.Email;
using Hatch.Domain.Highlights;
using Hatch.Features.Digests;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SmtpServer.Protocol;

namespace Hatch.Web.Tests;

/// <summary>The digest app (fake clock, no worker) sending through a real SMTP server on 127.0.0.1.</summary>
public sealed class DigestEmailAppFactory : DigestAppFactory
{
    public const string Site = "http://hatch.test";

    public SmtpTestServer Smtp { get; } = new SmtpTestServer().Start();
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.UseSetting("Hatch:Email:Host", "127.0.0.1");
        builder.UseSetting("Hatch:Email:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Hatch:Email:UseTls", "false");
        builder.UseSetting("Hatch:Email:From", "Hatch <digests@hatch.test>");
        builder.UseSetting("Hatch:Email:SiteUrl", Site);
        builder.UseSetting("Hatch:Email:Timeout", "00:00:10");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Smtp.StopAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Digest email end to end: the dispatcher plans, the digest job writes the draft and queues the email, the email
/// job sends it to the SMTP server. Tests run the jobs themselves; each test has its own reader and, where the
/// server's behaviour matters, runs alone against it (the class's tests do not run in parallel).
/// </summary>
public sealed class DigestEmailTests(DigestEmailAppFactory factory) : IClassFixture<DigestEmailAppFactory>
{
    private const string HostileTitle = "<script>alert('x')</script> & Co";

    private FakeTimeProvider Clock => factory.Clock;
    private SmtpTestServer Smtp => factory.Smtp;

    /// <summary>A reader whose daily 09:00 UTC digest has fallen due and been written; returns the digest's id.</summary>
    private async Task<(string UserId, string Email, Guid DigestId)> WrittenDigestAsync(DigestDelivery delivery = DigestDelivery.Both)
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        var midnight = new DateTimeOffset(Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        Clock.SetUtcNow(midnight.AddHours(8));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var (saved, errors) = await scope.ServiceProvider.GetRequiredService<DigestSettingsStore>().SaveAsync(userId, new DigestSettings
            {
                Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(9, 0), TimeZone = "UTC", MinNewHighlights = 3, Delivery = delivery,
            });
            Assert.True(saved is not null, string.Join("; ", errors));
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var passages = PracticePassages.All.ToArray();
            for (var i = 0; i < 6; i++)
                db.Highlights.Add(StoredHighlight.From(userId,
                    new Highlight { Text = passages[i % passages.Length] + $" ({i})", Source = new HighlightSource(HostileTitle) }, midnight.AddHours(8).AddMinutes(5)));
            await db.SaveChangesAsync();
        }
        Clock.SetUtcNow(midnight.AddHours(9).AddSeconds(20));
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
        var digestId = await DigestIdOfAsync(userId, midnight.AddHours(9));
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(digestId, CancellationToken.None);
        return (userId, email, digestId);
    }

    private async Task<Guid> DigestIdOfAsync(string userId, DateTimeOffset periodEnd)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestsOf(userId)
            .Where(d => d.PeriodEnd == periodEnd).Select(d => d.Id).SingleAsync();
    }

    private async Task SendAsync(Guid digestId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DigestEmailJob>().SendAsync(digestId, CancellationToken.None);
    }

    private async Task<StoredDigestEmail?> EmailOfAsync(Guid digestId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestEmails.AsNoTracking().SingleOrDefaultAsync(e => e.DigestId == digestId);
    }

    private IReadOnlyList<MimeMessage> ReceivedBy(string email) =>
        Smtp.Received.Where(m => m.To.Mailboxes.Any(a => a.Address == email)).ToList();

    private static string PathOf(string url) => new Uri(url).PathAndQuery;

    [Fact]
    public async Task ADigestThatFallsDueArrivesOnceWithBothPartsAndWorkingLinks()
    {
        var (_, email, digestId) = await WrittenDigestAsync();

        await SendAsync(digestId);
        await SendAsync(digestId); // a second run of the job (Hangfire may run one twice) sends nothing more

        var message = Assert.Single(ReceivedBy(email));
        Assert.StartsWith("Your Hatch digest: ", message.Subject);
        Assert.NotNull(message.HtmlBody);
        Assert.NotNull(message.TextBody);
        // Highlight text is untrusted: the source title is shown, encoded, never as markup.
        Assert.Contains("&lt;script&gt;alert(", message.HtmlBody);
        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains(HostileTitle, message.TextBody); // plain text shows it as the reader typed it
        Assert.Contains("Sources\n-------", message.TextBody.ReplaceLineEndings("\n"));
        Assert.Matches("\\[1\\] \"[^\"]+\" — ", message.TextBody); // citations as numbered notes with their source
        Assert.DoesNotContain("\\<", message.TextBody); // plain text, not escaped Markdown

        var stored = await EmailOfAsync(digestId);
        Assert.Equal(EmailStatus.Sent, stored!.Status);
        Assert.Equal(stored.MessageId, message.MessageId);

        // The links: the draft and the settings open for the signed-in reader; unsubscribe is RFC 8058 one-click.
        var links = System.Text.RegularExpressions.Regex.Matches(message.HtmlBody, "href=\"(" + DigestEmailAppFactory.Site + "[^\"]*)\"")
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        var client = await factory.LoginAsync(email);
        var draftLink = Assert.Single(links, l => l.Contains("/Drafts/"));
        Assert.Contains(draftLink, message.TextBody);
        var draftPage = await client.GetAsync(PathOf(draftLink));
        Assert.Equal(HttpStatusCode.OK, draftPage.StatusCode);
        Assert.Contains("&lt;script&gt;alert(", await draftPage.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(PathOf(Assert.Single(links, l => l.EndsWith("/Digests"))))).StatusCode);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Matches("^<" + DigestEmailAppFactory.Site + "/Digests/Unsubscribe\\?token=[^>]+>$", message.Headers["List-Unsubscribe"]);

        // The Digests page says it was sent, at 09:00-ish on the reader's clock (UTC).
        var page = await client.GetStringAsync("/Digests");
        Assert.Contains($"sent {stored.SentAt!.Value:HH:mm}", page);
    }

    [Fact]
    public async Task TheUnsubscribeLinkPostedWithoutASessionTurnsTheDigestOffAndTheNextPeriodSendsNothing()
    {
        var (userId, email, digestId) = await WrittenDigestAsync();
        await SendAsync(digestId);
        var message = Assert.Single(ReceivedBy(email));
        var unsubscribe = message.Headers["List-Unsubscribe"]!.Trim('<', '>');

        var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        // A link scanner's GET changes nothing.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PathOf(unsubscribe))).StatusCode);
        Assert.True(await EnabledAsync(userId));
        // A forged or altered token is refused.
        var forged = await anonymous.PostAsync(PathOf(unsubscribe) + "x", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.True(await EnabledAsync(userId));

        // What a mail client sends for RFC 8058 one-click: a POST to the link with this one form field, no cookies.
        var oneClick = await anonymous.PostAsync(PathOf(unsubscribe), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.False(await EnabledAsync(userId));

        // The next 09:00 comes and goes: no digest, no email.
        Clock.Advance(TimeSpan.FromDays(1));
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestsOf(userId).CountAsync());
        Assert.Single(ReceivedBy(email));
    }

    private async Task<bool> EnabledAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<DigestSettingsStore>().GetAsync(userId)).Settings.Enabled;
    }

    [Fact]
    public async Task WhileTheMailServerIsDownTheEmailWaitsAndArrivesOnceAfterItComesBack()
    {
        var (_, email, digestId) = await WrittenDigestAsync();
        await Smtp.StopAsync();
        try
        {
            await SendAsync(digestId);
            var waiting = await EmailOfAsync(digestId);
            Assert.Equal(EmailStatus.Retrying, waiting!.Status);
            Assert.Contains("cannot reach the mail server", waiting.Error);
            Assert.NotNull(waiting.JobId); // the next attempt is scheduled with back-off

            await SendAsync(digestId); // the scheduled retry, still down
            Assert.Equal((EmailStatus.Retrying, 2), ((await EmailOfAsync(digestId))!.Status, (await EmailOfAsync(digestId))!.Attempts));
            var client = await factory.LoginAsync(email);
            Assert.Contains("retrying: cannot reach the mail server", await client.GetStringAsync("/Digests"));
        }
        finally
        {
            Smtp.Start();
        }

        await SendAsync(digestId);
        await SendAsync(digestId);
        var message = Assert.Single(ReceivedBy(email));
        var sent = await EmailOfAsync(digestId);
        Assert.Equal((EmailStatus.Sent, 3), (sent!.Status, sent.Attempts));
        Assert.Equal(sent.MessageId, message.MessageId); // every attempt carried the same Message-Id
    }

    [Fact]
    public async Task AMailboxRefusedWith550FailsWithAPlainReasonAndAnErrorIdThatTheLogHasWithTheServersWords()
    {
        var (_, email, digestId) = await WrittenDigestAsync();
        // What a mail server says can name its hosts and accounts: the reader is shown neither.
        Smtp.Reply = new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.7.1 relay denied by internal-mx-7.corp.example for svc-hatch");
        try
        {
            await SendAsync(digestId);
        }
        finally
        {
            Smtp.Reply = null;
        }
        await SendAsync(digestId); // a failed email is final: not sent again

        var failed = await EmailOfAsync(digestId);
        Assert.Equal((EmailStatus.Failed, 1), (failed!.Status, failed.Attempts));
        Assert.Empty(ReceivedBy(email));
        var client = await factory.LoginAsync(email);
        var page = await client.GetStringAsync("/Digests");
        Assert.Contains("failed: the mail server refused the message (550)", page);
        Assert.DoesNotContain("internal-mx-7", page);
        Assert.DoesNotContain("internal-mx-7", failed.Error);
        var errorId = System.Text.RegularExpressions.Regex.Match(failed.Error!, "error id ([0-9a-f]{32})").Groups[1].Value;
        Assert.True(errorId.Length == 32, $"no error id in: {failed.Error}");
        Assert.Contains(errorId, page);
        Assert.Contains(factory.Logs.Entries, e => e.ToString().Contains(errorId) && e.ToString().Contains("internal-mx-7.corp.example"));
    }

    [Fact]
    public async Task AnAttemptInterruptedAfterItWasRecordedIsSentAgainWithTheSameMessageIdAndSaysSo()
    {
        var (_, email, digestId) = await WrittenDigestAsync();
        // A worker killed between recording the attempt and recording its outcome leaves the email Sending.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var row = await db.DigestEmails.SingleAsync(e => e.DigestId == digestId);
            row.BeginAttempt("interrupted-attempt@hatch.test", Clock.GetUtcNow());
            await db.SaveChangesAsync();
        }

        await SendAsync(digestId);

        var message = Assert.Single(ReceivedBy(email));
        Assert.Equal("interrupted-attempt@hatch.test", message.MessageId);
        var sent = await EmailOfAsync(digestId);
        Assert.True(sent!.MaybeDuplicated);
        var client = await factory.LoginAsync(email);
        Assert.Contains("may have delivered a second copy", await client.GetStringAsync("/Digests"));
    }

    private async Task<Guid> DraftOfAsync(Guid digestId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        return await (from d in db.Digests join r in db.HatchRequests on d.RequestId equals r.Id where d.Id == digestId select r.DraftId!.Value).SingleAsync();
    }

    [Fact]
    public async Task ThePrivateFeedListsTheReadersDigestsAndNoOneElsesAndAnOldTokenAnswers404()
    {
        var (_, mine, myDigest) = await WrittenDigestAsync(DigestDelivery.App);
        var (_, _, theirDigest) = await WrittenDigestAsync(DigestDelivery.App);
        var (myDraft, theirDraft) = (await DraftOfAsync(myDigest), await DraftOfAsync(theirDigest));
        var client = await factory.LoginAsync(mine);

        var first = await (await client.PostAsync("/api/digest-settings/feed-token", null)).Content.ReadFromJsonAsync<FeedAddressDto>();
        var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        var feed = await anonymous.GetAsync(PathOf(first!.Url));
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.StartsWith("application/atom+xml", feed.Content.Headers.ContentType!.ToString());
        var atom = System.Xml.Linq.XDocument.Parse(await feed.Content.ReadAsStringAsync());
        System.Xml.Linq.XNamespace ns = "http://www.w3.org/2005/Atom";
        var entryLinks = atom.Descendants(ns + "entry").Select(e => e.Element(ns + "id")!.Value).ToList();
        Assert.Equal([$"http://localhost/Drafts/{myDraft}"], entryLinks);
        Assert.DoesNotContain(theirDraft.ToString(), atom.ToString());
        // The draft's text is in the entry, its untrusted source title encoded inside the HTML content.
        Assert.Contains("&lt;script&gt;", atom.Descendants(ns + "content").Single().Value);

        var second = await (await client.PostAsync("/api/digest-settings/feed-token", null)).Content.ReadFromJsonAsync<FeedAddressDto>();
        Assert.NotEqual(first.Url, second!.Url);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(PathOf(first.Url))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PathOf(second.Url))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/digests/not-a-token/feed.atom")).StatusCode);
    }

    private sealed record FeedAddressDto(string Url);

    [Fact]
    public async Task AReaderWhoChoseTheAppOnlyGetsNoEmail()
    {
        var (_, email, digestId) = await WrittenDigestAsync(DigestDelivery.App);
        await SendAsync(digestId);
        Assert.Null(await EmailOfAsync(digestId));
        Assert.Empty(ReceivedBy(email));
    }
}

/// <summary>The digest app writing emails to a pickup directory instead of an SMTP server.</summary>
public sealed class DigestPickupAppFactory : DigestAppFactory
{
    public string Pickup { get; } = Directory.CreateTempSubdirectory("hatch-pickup-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Email:PickupDirectory", Pickup);
        builder.UseSetting("Hatch:Email:From", "digests@hatch.test");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(Pickup, recursive: true); } catch (IOException) { }
    }
}

public sealed class DigestPickupTests(DigestPickupAppFactory factory) : IClassFixture<DigestPickupAppFactory>
{
    [Fact]
    public async Task ThePickupDirectoryGetsOneEmlFilePerDigest()
    {
        var (_, email) = await factory.NewUserAsync();
        var userId = await factory.UserIdAsync(email);
        var start = new DateTimeOffset(factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero).AddHours(8);
        factory.Clock.SetUtcNow(start);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var (saved, errors) = await scope.ServiceProvider.GetRequiredService<DigestSettingsStore>().SaveAsync(userId, new DigestSettings
            {
                Enabled = true, Cadence = DigestCadence.Daily, LocalTime = new TimeOnly(9, 0), TimeZone = "UTC", MinNewHighlights = 1,
            });
            Assert.True(saved is not null, string.Join("; ", errors));
        }

        for (var day = 0; day < 2; day++)
        {
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
                foreach (var (text, i) in PracticePassages.All.Take(4).Select((t, i) => (t, i)))
                    db.Highlights.Add(StoredHighlight.From(userId, new Highlight { Text = $"{text} (day {day}, {i})", Source = new HighlightSource("Peak") }, start.AddDays(day).AddMinutes(5)));
                await db.SaveChangesAsync();
            }
            factory.Clock.SetUtcNow(start.AddDays(day).AddHours(1).AddSeconds(10));
            await using (var scope = factory.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DispatchAsync();
            Guid digestId;
            await using (var scope = factory.Services.CreateAsyncScope())
                digestId = await scope.ServiceProvider.GetRequiredService<HatchDbContext>().DigestsOf(userId).OrderByDescending(d => d.PeriodEnd).Select(d => d.Id).FirstAsync();
            await using (var scope = factory.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(digestId, CancellationToken.None);
            for (var run = 0; run < 2; run++) // the job run twice still leaves one file
                await using (var scope = factory.Services.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<DigestEmailJob>().SendAsync(digestId, CancellationToken.None);
        }

        var files = Directory.GetFiles(factory.Pickup, "*.eml");
        Assert.Equal(2, files.Length);
        foreach (var file in files)
        {
            var message = await MimeMessage.LoadAsync(file);
            Assert.Equal(email, message.To.Mailboxes.Single().Address);
            Assert.NotNull(message.HtmlBody);
            Assert.NotNull(message.TextBody);
        }
    }
}

/// <summary>Email settings that cannot work stop the app at start with a message naming the setting.</summary>
public sealed class EmailOptionsStartupTests
{
    private sealed class MisconfiguredFactory(string key, string value) : HatchAppFactory
    {
        protected override string ConnectionString => OwnedPostgresDatabase;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Hatch:Jobs:RunWorker", "false");
            builder.UseSetting("Hatch:Email:Host", "127.0.0.1");
            builder.UseSetting(key, value);
        }
    }

    [Theory]
    [InlineData("Hatch:Email:From", "", "Hatch:Email:From is required")]
    [InlineData("Hatch:Email:From", "not an address", "Hatch:Email:From: 'not an address' is not an email address")]
    [InlineData("Hatch:Email:User", "me", "Hatch:Email:User and Hatch:Email:Password go together")]
    [InlineData("Hatch:Email:PickupDirectory", "/tmp/x", "set Host (send by SMTP) or PickupDirectory")]
    public void TheAppRefusesToStartWithEmailSettingsThatCannotWork(string key, string value, string message)
    {
        using var factory = new MisconfiguredFactory(key, value);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(message, error.ToString());
    }
}
