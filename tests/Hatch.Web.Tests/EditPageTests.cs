using System.Net;
using System.Text.RegularExpressions;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hatch.Web.Tests;

/// <summary>The editor form: a save is a revision; a save from a stale revision shows both versions and keeps yours.</summary>
public sealed partial class EditPageTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{

    [GeneratedRegex("name=\"(Form\\.[^\"]+)\"[^>]*?value=\"([^\"]*)\"|name=\"(Form\\.[^\"]+)\"[^>]*>([^<]*)</textarea>")]
    private static partial Regex Fields();

    /// <summary>The form's fields as the page filled them in.</summary>
    private static Dictionary<string, string> FormOf(string html)
    {
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = AntiforgeryForm.Token(html) };
        foreach (Match m in Fields().Matches(html))
        {
            if (m.Groups[1].Success) fields[m.Groups[1].Value] = WebUtility.HtmlDecode(m.Groups[2].Value);
            else fields[m.Groups[3].Value] = WebUtility.HtmlDecode(m.Groups[4].Value);
        }
        return fields;
    }

    [Fact]
    public async Task TwoPeopleEditingTheSameRevisionTheSecondSeesBothVersionsAndCanSaveOnTop()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = author.Client.DefaultRequestHeaders.Authorization;

        var first = FormOf(await client.GetStringAsync($"/Drafts/{id}/Edit"));
        var second = FormOf(await client.GetStringAsync($"/Drafts/{id}/Edit"));
        Assert.Equal("1", first["Form.ExpectedRevision"]);
        Assert.Equal("First thread", first["Form.Sections[0].Heading"]);

        first["Form.Title"] = "Saved first in one tab";
        using var saved = await client.PostAsync($"/Drafts/{id}/Edit", new FormUrlEncodedContent(first));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        second["Form.Title"] = "Saved second in another tab";
        second["Form.Sections[1].Body"] = "My careful rewrite of the second thread [2].";
        using var stale = await client.PostAsync($"/Drafts/{id}/Edit", new FormUrlEncodedContent(second));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var page = WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync());
        Assert.Contains("Someone saved revision 2 while you were editing revision 1", page);
        Assert.Contains("Current version (revision 2)", page);
        Assert.Contains("Saved first in one tab", page);               // theirs, beside the form
        Assert.Contains("value=\"Saved second in another tab\"", page); // yours, still in the form
        Assert.Contains("My careful rewrite of the second thread [2].", page);

        // Saving again is a deliberate save on top of revision 2.
        var again = FormOf(await stale.Content.ReadAsStringAsync());
        Assert.Equal("2", again["Form.ExpectedRevision"]);
        using var resaved = await client.PostAsync($"/Drafts/{id}/Edit", new FormUrlEncodedContent(again));
        Assert.Equal(HttpStatusCode.Redirect, resaved.StatusCode);
        var draft = await (await author.Client.GetAsync($"/api/drafts/{id}")).JsonAsync();
        Assert.Equal((3, "Saved second in another tab"), (draft.GetProperty("revision").GetInt32(), draft.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task TheFormNamesTheSectionThatCitesAHighlightThatIsNotASource()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = author.Client.DefaultRequestHeaders.Authorization;

        var form = FormOf(await client.GetStringAsync($"/Drafts/{id}/Edit"));
        form["Form.Sections[1].Citations"] = "2, 8";
        using var response = await client.PostAsync($"/Drafts/{id}/Edit", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("sections[1] \"Second thread\": cites [8]", page);
        Assert.Contains("nothing was saved", page);
    }
}
