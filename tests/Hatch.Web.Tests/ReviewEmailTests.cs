using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.Domain.Email;
using Hatch.Features.Hatching;
using Hatch.Features.Requests;
using Hatch.Features.Review;
using Hatch.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hatch.Web.Tests;

/// <summary>
/// Editors' opt-in email when a draft is submitted for review, sent to a real SMTP server on 127.0.0.1. The app runs
/// no worker: the tests run the send jobs and the sweeper themselves, as Hangfire would.
/// </summary>
public sealed class ReviewEmailTests(DigestEmailAppFactory factory) : IClassFixture<DigestEmailAppFactory>
{
    private const string HostileTitle = "<img src=x onerror=alert(1)> Practice & attention";

    private async Task<TestUser> SignedInAsync(params string[] roles)
    {
        var user = await factory.UserAsync(roles);
        return user with { Client = await factory.LoginAsync(user.Email) };
    }

    private async Task<StoredReviewEmail[]> NoticesOfAsync(Guid draftId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().ReviewEmails.AsNoTracking()
            .Where(e => e.DraftId == draftId).ToArrayAsync();
    }

    private async Task SendAsync(Guid emailId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReviewEmailJob>().SendAsync(emailId, CancellationToken.None);
    }

    private IReadOnlyList<MimeMessage> ReceivedBy(string email) =>
        factory.Smtp.Received.Where(m => m.To.Mailboxes.Any(a => a.Address == email)).ToList();

    private static async Task OptInAsync(TestUser editor, bool on = true)
    {
        var answer = await editor.Client.PutAsJsonAsync("/api/review/notifications", new { emailOnSubmission = on });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.JsonAsync();
        Assert.Equal(on, body.GetProperty("emailOnSubmission").GetBoolean());
        Assert.True(body.GetProperty("emailConfigured").GetBoolean());
    }

    /// <summary>Leaves one opted-in editor in the shared database, so the test sees one notice.</summary>
    private async Task OptOutEveryoneElseAsync(string editorId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Users.Where(u => u.Id != editorId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailOnSubmission, false));
    }

    [Fact]
    public async Task EditorsWhoOptedInAreEmailedOnceWhenADraftIsSubmittedAndNoOneElseIs()
    {
        var optedIn = await SignedInAsync(HatchUser.Roles.Editor);
        var admin = await SignedInAsync(HatchUser.Roles.Admin);
        var quiet = await SignedInAsync(HatchUser.Roles.Editor);
        var author = await SignedInAsync(HatchUser.Roles.Editor); // an editor-author is not told of their own submission
        var reader = await SignedInAsync();
        await OptInAsync(optedIn);
        await OptInAsync(admin);
        await OptInAsync(author);
        await OptInAsync(quiet, on: false);
        // A reader who is not a reviewer cannot opt in.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Client.PutAsJsonAsync("/api/review/notifications", new { emailOnSubmission = true })).StatusCode);

        var draftId = await factory.DraftAsync(author.Id, DraftStatus.Draft, optedIn.Id, HostileTitle);
        Assert.Equal(HttpStatusCode.OK, (await author.Client.PostJsonAsync($"/api/drafts/{draftId}/submit")).StatusCode);

        // Other tests' editors share this database and may have opted in too: look at this test's people.
        string[] ours = [optedIn.Id, admin.Id, quiet.Id, author.Id, reader.Id];
        var notices = (await NoticesOfAsync(draftId)).Where(n => ours.Contains(n.UserId)).ToArray();
        Assert.Equal(new[] { admin.Id, optedIn.Id }.Order(StringComparer.Ordinal), notices.Select(n => n.UserId).Order(StringComparer.Ordinal));
        Assert.All(notices, n => Assert.NotNull(n.JobId)); // enqueued after the submission committed
        foreach (var notice in notices)
        {
            await SendAsync(notice.Id);
            await SendAsync(notice.Id); // Hangfire may run a job twice: nothing more is sent
        }

        Assert.Empty(ReceivedBy(quiet.Email));
        Assert.Empty(ReceivedBy(author.Email));
        Assert.Empty(ReceivedBy(reader.Email));
        Assert.Single(ReceivedBy(admin.Email));
        var message = Assert.Single(ReceivedBy(optedIn.Email));
        Assert.StartsWith("Submitted for review: ", message.Subject);
        Assert.Contains(HostileTitle, message.TextBody);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", message.HtmlBody); // the title is the author's text: encoded
        Assert.DoesNotContain("<img", message.HtmlBody);
        Assert.Equal(EmailStatus.Sent, (await NoticesOfAsync(draftId)).Single(n => n.UserId == optedIn.Id).Status);

        // The link opens the draft for the editor.
        var link = System.Text.RegularExpressions.Regex.Match(message.TextBody!, "Review it: (\\S+)").Groups[1].Value;
        Assert.Equal($"{DigestEmailAppFactory.Site}/Drafts/{draftId}", link);
        Assert.Equal(HttpStatusCode.OK, (await optedIn.Client.GetAsync(new Uri(link).PathAndQuery)).StatusCode);

        // The review page shows the editor's choice.
        var page = await optedIn.Client.GetStringAsync("/Review");
        Assert.Matches("id=\"emailOnSubmission\"[^>]*checked", page);
    }

    [Fact]
    public async Task ANoticeWhoseJobWasLostIsEnqueuedAgainByTheSweeperAndArrivesOnce()
    {
        var editor = await SignedInAsync(HatchUser.Roles.Editor);
        var author = await SignedInAsync();
        await OptInAsync(editor);
        await OptOutEveryoneElseAsync(editor.Id);
        var draftId = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        Assert.Equal(HttpStatusCode.OK, (await author.Client.PostJsonAsync($"/api/drafts/{draftId}/submit")).StatusCode);

        // As if the process died between the commit and the enqueue: the notice is stored with no job.
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchDbContext>().ReviewEmails
                .Where(e => e.DraftId == draftId).ExecuteUpdateAsync(s => s.SetProperty(e => e.JobId, (string?)null));

        // Too young to be an orphan: the sweeper leaves it to the request that is still being handled.
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchRequestSweeper>().SweepAsync(CancellationToken.None);
        Assert.Null(Assert.Single(await NoticesOfAsync(draftId)).JobId);

        factory.Clock.Advance(factory.Services.GetRequiredService<IOptions<JobOptions>>().Value.OrphanAfter + TimeSpan.FromMinutes(1));
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchRequestSweeper>().SweepAsync(CancellationToken.None);
        var notice = Assert.Single(await NoticesOfAsync(draftId));
        Assert.NotNull(notice.JobId);

        await SendAsync(notice.Id);
        Assert.Single(ReceivedBy(editor.Email));
    }
}
