using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// A reviewer sees only the highlights a submitted article cites. Citing another of the draft's numbers in an edit
/// would put that highlight in the article's sources, in front of the reviewer: refused, naming the part.
/// </summary>
public sealed class ReviewerCitationTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task AReviewersEditMayCiteOnlyWhatTheArticleCitesWhileTheAuthorMayCiteAnyOfTheDraftsHighlights()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        // Highlights 1 and 2 are cited; 3 (a private passage) is the draft's but uncited.
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id);

        using var refused = await editor.Client.PutAsJsonAsync($"/api/drafts/{id}",
            new { expectedRevision = 1, article = ArticleJson.Valid(1, 3) }, ReviewSeed.Json);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var messages = problem.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray()).Select(m => m.GetString()).ToArray();
        Assert.Contains(messages, m => m!.Contains("cites [3], which the article does not cite yet", StringComparison.Ordinal));
        var text = await editor.Client.GetStringAsync($"/api/drafts/{id}");
        Assert.DoesNotContain(ReviewSeed.UncitedMarker, text); // nothing was saved, nothing revealed

        // Citing what the article cites is an ordinary edit.
        using var edited = await editor.Client.PutAsJsonAsync($"/api/drafts/{id}",
            new { expectedRevision = 1, article = ArticleJson.Valid(2, 1) with { Title = "Tightened by the editor" } }, ReviewSeed.Json);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        // The author knows all their highlights and may bring the third one in (once the draft is theirs to edit again).
        var draft = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        using var own = await author.Client.PutAsJsonAsync($"/api/drafts/{draft}",
            new { expectedRevision = 1, article = ArticleJson.Valid(1, 3) }, ReviewSeed.Json);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}
