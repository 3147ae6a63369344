using System.Net;
using Hatch.Data;
using Hatch.Domain.Drafts;

namespace Hatch.Web.Tests.Hostile;

/// <summary>A rejected draft is back with its author: other reviewers, the one who rejected it included, no longer see it.</summary>
public sealed class RejectedDraftVisibilityTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task ARejectedDraftIsHiddenFromReviewersWhoAreNotItsAuthorOnTheApiAndThePage()
    {
        var author = await factory.UserAsync();
        var rejecter = await factory.UserAsync(HatchUser.Roles.Editor);
        var otherEditor = await factory.UserAsync(HatchUser.Roles.Editor);
        var rejected = await factory.DraftAsync(author.Id, DraftStatus.Rejected, rejecter.Id, title: "A draft sent back");
        var submitted = await factory.DraftAsync(author.Id, DraftStatus.Submitted, rejecter.Id, title: "A draft under review");

        Assert.Equal(HttpStatusCode.OK, (await author.Client.GetAsync($"/api/drafts/{rejected}")).StatusCode);
        foreach (var reviewer in new[] { rejecter, otherEditor })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await reviewer.Client.GetAsync($"/api/drafts/{rejected}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await reviewer.Client.GetAsync($"/api/drafts/{rejected}/revisions")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await reviewer.Client.GetAsync($"/Drafts/{rejected}")).StatusCode);
            var queue = await reviewer.Client.GetStringAsync("/api/review");
            Assert.DoesNotContain(rejected.ToString(), queue);
            // The draft still under review stays in sight, so the refusal is about the rejection alone.
            Assert.Equal(HttpStatusCode.OK, (await reviewer.Client.GetAsync($"/api/drafts/{submitted}")).StatusCode);
        }
    }
}
