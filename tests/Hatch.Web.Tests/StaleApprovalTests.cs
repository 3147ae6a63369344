using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;

namespace Hatch.Web.Tests;

/// <summary>
/// An approval stands for the text the editor read: approve and publish carry that revision and are refused (409,
/// nothing changes) when the draft has moved on; and an editor who wrote the draft can neither change nor publish it
/// while another editor reviews it.
/// </summary>
public sealed partial class StaleApprovalTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private static object Edit(int expectedRevision, string title) =>
        new { expectedRevision, article = ArticleJson.Valid(1, 2) with { Title = title } };

    private async Task<string> StatusAsync(TestUser who, Guid id) =>
        (await (await who.Client.GetAsync($"/api/drafts/{id}")).JsonAsync()).GetProperty("status").GetString()!;

    [Fact]
    public async Task ApprovingARevisionThatIsNoLongerCurrentIs409AndLeavesTheDraftSubmitted()
    {
        var author = await factory.UserAsync();
        var reader = await factory.UserAsync(HatchUser.Roles.Editor);
        var changer = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, changer.Id);

        // The reader opened revision 1; another editor saves revision 2 meanwhile.
        (await changer.Client.PutAsJsonAsync($"/api/drafts/{id}", Edit(1, "A claim the reader never saw"), ReviewSeed.Json)).EnsureSuccessStatusCode();
        using var stale = await reader.Client.PostAsJsonAsync($"/api/drafts/{id}/approve", new { expectedRevision = 1 });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.JsonAsync();
        Assert.Equal("The draft changed since you read it", problem.GetProperty("title").GetString());
        Assert.Equal(2, problem.GetProperty("currentRevision").GetInt32());
        Assert.Equal("Submitted", await StatusAsync(author, id));

        (await reader.Client.PostAsJsonAsync($"/api/drafts/{id}/approve", new { expectedRevision = 2 })).EnsureSuccessStatusCode();
        Assert.Equal("Approved", await StatusAsync(author, id));
    }

    [Fact]
    public async Task PublishingARevisionThatIsNoLongerCurrentIs409AndLeavesTheDraftApproved()
    {
        var author = await factory.UserAsync();
        var publisher = await factory.UserAsync(HatchUser.Roles.Editor);
        var other = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Approved, other.Id);

        // The publisher read revision 1; meanwhile it is rejected, rewritten by its author, resubmitted and approved again.
        (await other.Client.PostAsJsonAsync($"/api/drafts/{id}/reject", new { reason = "Sharper." })).EnsureSuccessStatusCode();
        (await author.Client.PutAsJsonAsync($"/api/drafts/{id}", Edit(1, "Rewritten after approval"), ReviewSeed.Json)).EnsureSuccessStatusCode();
        (await author.Client.PostAsJsonAsync($"/api/drafts/{id}/submit", new { })).EnsureSuccessStatusCode();
        (await other.Client.PostAsJsonAsync($"/api/drafts/{id}/approve", new { expectedRevision = 2 })).EnsureSuccessStatusCode();

        using var stale = await publisher.Client.PostAsJsonAsync($"/api/drafts/{id}/publish", new { expectedRevision = 1 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("Approved", await StatusAsync(author, id));

        (await publisher.Client.PostAsJsonAsync($"/api/drafts/{id}/publish", new { expectedRevision = 2 })).EnsureSuccessStatusCode();
        Assert.Equal("Published", await StatusAsync(author, id));
    }

    [Fact]
    public async Task AnEditorWhoWroteTheDraftCannotEditItWhileSubmittedNorPublishItWhenApproved()
    {
        var editorAuthor = await factory.UserAsync(HatchUser.Roles.Editor);
        var reviewer = await factory.UserAsync(HatchUser.Roles.Editor);
        var submitted = await factory.DraftAsync(editorAuthor.Id, DraftStatus.Submitted, reviewer.Id);

        using var edit = await editorAuthor.Client.PutAsJsonAsync($"/api/drafts/{submitted}", Edit(1, "Changed under review"), ReviewSeed.Json);
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        using var restore = await editorAuthor.Client.PostAsJsonAsync($"/api/drafts/{submitted}/revisions/1/restore", new { expectedRevision = 1 });
        Assert.Equal(HttpStatusCode.Conflict, restore.StatusCode);
        Assert.Equal(1, (await (await editorAuthor.Client.GetAsync($"/api/drafts/{submitted}")).JsonAsync()).GetProperty("revision").GetInt32());

        var approved = await factory.DraftAsync(editorAuthor.Id, DraftStatus.Approved, reviewer.Id);
        using var publish = await editorAuthor.Client.PostAsJsonAsync($"/api/drafts/{approved}/publish", new { expectedRevision = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, publish.StatusCode);
        Assert.Contains("own draft", (await publish.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal("Approved", await StatusAsync(editorAuthor, approved));
    }

    [Fact]
    public async Task TheDraftPageApprovesTheRevisionItShowed()
    {
        var author = await factory.UserAsync();
        var changer = await factory.UserAsync(HatchUser.Roles.Editor);
        var reader = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, changer.Id);
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = reader.Email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();

        var page = await browser.GetStringAsync($"/Drafts/{id}");
        var form = ApproveForm().Match(page);
        Assert.True(form.Success, "the page has an approve form carrying the revision it shows");
        Assert.Equal("1", form.Groups["revision"].Value);
        (await changer.Client.PutAsJsonAsync($"/api/drafts/{id}", Edit(1, "Changed after the page was read"), ReviewSeed.Json)).EnsureSuccessStatusCode();

        var posted = await browser.PostAsync($"/Drafts/{id}?handler=Approve", new FormUrlEncodedContent(
            [new("expectedRevision", form.Groups["revision"].Value), new("__RequestVerificationToken", AntiforgeryForm.Token(page))]));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("Submitted", await StatusAsync(author, id));
        var after = WebUtility.HtmlDecode(await browser.GetStringAsync($"/Drafts/{id}"));
        Assert.Contains("you read revision 1", after);
    }

    [GeneratedRegex("""handler=Approve"[^>]*><input type="hidden" name="expectedRevision" value="(?<revision>\d+)">""")]
    private static partial Regex ApproveForm();
}
