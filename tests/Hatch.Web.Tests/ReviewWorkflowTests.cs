using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>The workflow end to end on PostgreSQL: transitions, races, edits, conflicts, restore, revise with the model, publishing.</summary>
public sealed class ReviewWorkflowTests(ReviewAppFactory factory) : IClassFixture<ReviewAppFactory>
{
    private static readonly JsonSerializerOptions Json = ReviewSeed.Json;

    private async Task<(TestUser Author, TestUser Editor, TestUser Admin)> PeopleAsync() =>
        (await factory.UserAsync(), await factory.UserAsync(HatchUser.Roles.Editor), await factory.UserAsync(HatchUser.Roles.Admin));

    private static async Task<JsonElement> OkJsonAsync(Task<HttpResponseMessage> call, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task ADraftGoesThroughTheWholeWorkflowAndTheAuditTrailSaysWhoDidWhat()
    {
        var (author, editor, admin) = await PeopleAsync();
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id, title: "How practice <b>compounds</b>");

        var submitted = await OkJsonAsync(author.Client.PostJsonAsync($"/api/drafts/{id}/submit"));
        Assert.Equal("Submitted", submitted.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, submitted.GetProperty("publicUrl").ValueKind);

        var queue = await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={Uri.EscapeDataString(author.Email)}"));
        Assert.Equal(id, Assert.Single(queue.EnumerateArray()).GetProperty("id").GetGuid());

        var rejected = await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{id}/reject", new { reason = "Cite the second source too." }));
        Assert.Equal("Rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("Cite the second source too.", rejected.GetProperty("rejectionReason").GetString());

        // The author's edit turns a rejected draft back into a draft; then it goes round again.
        var edited = await OkJsonAsync(author.Client.PutAsJsonAsync($"/api/drafts/{id}",
            new { expectedRevision = 1, article = ArticleJson.Valid(1, 2) with { Title = "How practice <b>compounds</b>", Conclusion = "Both sources agree [2]." } }, Json));
        Assert.Equal(("Draft", 2), (edited.GetProperty("status").GetString(), edited.GetProperty("revision").GetInt32()));
        await OkJsonAsync(author.Client.PostJsonAsync($"/api/drafts/{id}/submit"));
        await OkJsonAsync(admin.Client.PostJsonAsync($"/api/drafts/{id}/approve"));
        var published = await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{id}/publish"));

        Assert.Equal("Published", published.GetProperty("status").GetString());
        var slug = published.GetProperty("slug").GetString();
        Assert.Equal("how-practice-b-compounds-b", slug);
        Assert.EndsWith($"/a/{slug}", published.GetProperty("publicUrl").GetString());
        var mine = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}"));
        Assert.EndsWith($"/a/{slug}", mine.GetProperty("publicUrl").GetString());

        var audit = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/audit"));
        var kinds = audit.EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray();
        Assert.Equal(["Created", "Submitted", "Rejected", "Edited", "Submitted", "Approved", "Published"], kinds);
        var who = audit.EnumerateArray().Select(e => e.GetProperty("userId").GetString()!).ToArray();
        Assert.Equal([author.Id, author.Id, editor.Id, author.Id, author.Id, admin.Id, editor.Id], who);
        Assert.Contains("Cite the second source too.", audit.EnumerateArray().ElementAt(2).GetProperty("detail").GetString());

        // Publishing twice is illegal, and says the draft is Published.
        using var again = await editor.Client.PostJsonAsync($"/api/drafts/{id}/publish");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Published", (await again.JsonAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ARejectionNeedsAReasonAndNobodyApprovesTheirOwnDraft()
    {
        var (_, editor, _) = await PeopleAsync();
        var otherEditor = await factory.UserAsync(HatchUser.Roles.Editor);
        var own = await factory.DraftAsync(editor.Id, DraftStatus.Submitted, otherEditor.Id);

        using var self = await editor.Client.PostJsonAsync($"/api/drafts/{own}/approve");
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Contains("own draft", (await self.JsonAsync()).GetProperty("detail").GetString());

        using var noReason = await otherEditor.Client.PostJsonAsync($"/api/drafts/{own}/reject", new { reason = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));

        await OkJsonAsync(otherEditor.Client.PostJsonAsync($"/api/drafts/{own}/approve"));
    }

    [Fact]
    public async Task TwoEditorsApprovingAtOnceMakeOneApprovalAndOneConflict()
    {
        var author = await factory.UserAsync();
        var editors = new[] { await factory.UserAsync(HatchUser.Roles.Editor), await factory.UserAsync(HatchUser.Roles.Editor), await factory.UserAsync(HatchUser.Roles.Admin) };
        for (var round = 0; round < 5; round++)
        {
            var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editors[0].Id);
            var responses = await Task.WhenAll(editors.Select(e => e.Client.PostJsonAsync($"/api/drafts/{id}/approve")));
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));

            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            Assert.Equal(1, await db.DraftEvents.CountAsync(e => e.DraftId == id && e.Kind == DraftEventKind.Approved));
        }
    }

    [Fact]
    public async Task TheDatabaseRefusesAnUnknownStatusAndAStaleTransition()
    {
        var (author, editor, admin) = await PeopleAsync();
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();

        var bad = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlRawAsync("UPDATE drafts SET \"Status\" = 'Approvedish' WHERE \"Id\" = {0}", id));
        Assert.Equal(PostgresErrorCodes.CheckViolation, bad.SqlState);
        var unpublished = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlRawAsync("UPDATE drafts SET \"Status\" = 'Published' WHERE \"Id\" = {0}", id));
        Assert.Equal("CK_drafts_published_has_slug", unpublished.ConstraintName);

        // Two units of work load the same Submitted draft; the second save loses on the concurrency token.
        await using var otherScope = factory.Services.CreateAsyncScope();
        var other = otherScope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var first = await db.Drafts.SingleAsync(d => d.Id == id);
        var second = await other.Drafts.SingleAsync(d => d.Id == id);
        first.Approve(new DraftActor(editor.Id, IsEditor: true), DateTimeOffset.UtcNow);
        second.Reject(new DraftActor(admin.Id, IsAdmin: true), "no", DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => other.SaveChangesAsync());
    }

    [Fact]
    public async Task AStaleEditGetsAConflictWithBothVersionsAndNothingIsLost()
    {
        var (author, _, _) = await PeopleAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);

        var mine = ArticleJson.Valid(1, 2) with { Title = "My first take" };
        var theirs = ArticleJson.Valid(1, 2) with { Title = "A second take saved in another tab" };
        await OkJsonAsync(author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 1, article = theirs }, Json));
        using var stale = await author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 1, article = mine }, Json);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.JsonAsync();
        Assert.Equal(2, problem.GetProperty("currentRevision").GetInt32());
        Assert.Equal(1, problem.GetProperty("expectedRevision").GetInt32());
        Assert.Equal(theirs.Title, problem.GetProperty("current").GetProperty("title").GetString());
        Assert.Equal(mine.Title, problem.GetProperty("yours").GetProperty("title").GetString());

        // Saved knowingly on top of revision 2, the first take becomes revision 3; revision 2 is kept.
        await OkJsonAsync(author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 2, article = mine }, Json));
        var revisions = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/revisions"));
        var titles = revisions.EnumerateArray().Select(r => r.GetProperty("title").GetString()!).ToArray();
        Assert.Equal(3, titles.Length);
        Assert.Equal([theirs.Title, mine.Title], titles[1..]);
    }

    [Fact]
    public async Task EditsSavedAtTheSameMomentFromTheSameRevisionMakeOneRevision()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 1, article = ArticleJson.Valid(1, 2) with { Title = $"Take {i}" } }, Json)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var revisions = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/revisions"));
        Assert.Equal([1, 2], revisions.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()).ToArray());
    }

    [Fact]
    public async Task ACitationToAHighlightThatIsNotASourceIsRejectedNamingTheSection()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        var article = ArticleJson.Valid(1, 2);
        var sections = article.Sections.ToArray();
        sections[1] = sections[1] with { Body = "Now it cites a passage the draft never had [7].", Citations = [2, 7] };

        using var response = await author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 1, article = article with { Sections = sections } }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        var messages = errors.GetProperty("sections[1]").EnumerateArray().Select(m => m.GetString()).ToArray();
        Assert.Contains(messages, m => m!.Contains("Second thread") && m.Contains("[7]"));
        var draft = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}"));
        Assert.Equal(1, draft.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task RestoringARevisionMakesItTheNextRevisionWithADiff()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        var original = (await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}"))).GetProperty("article").GetProperty("title").GetString();
        await OkJsonAsync(author.Client.PutAsJsonAsync($"/api/drafts/{id}", new { expectedRevision = 1, article = ArticleJson.Valid(1, 2) with { Title = "A worse title" } }, Json));

        var revision2 = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/revisions/2"));
        var diff = revision2.GetProperty("diffFromPrevious").EnumerateArray().ToArray();
        Assert.Contains(diff, l => l.GetProperty("change").GetString() == "+" && l.GetProperty("text").GetString() == "# A worse title");
        Assert.Contains(diff, l => l.GetProperty("change").GetString() == "-" && l.GetProperty("text").GetString() == $"# {original}");

        var restored = await OkJsonAsync(author.Client.PostJsonAsync($"/api/drafts/{id}/revisions/1/restore", new { expectedRevision = 2 }));
        Assert.Equal(3, restored.GetProperty("revision").GetInt32());
        Assert.Equal(original, restored.GetProperty("article").GetProperty("title").GetString());
        var revisions = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/revisions"));
        var last = revisions.EnumerateArray().Last();
        Assert.Equal(("Restored", 1), (last.GetProperty("kind").GetString(), last.GetProperty("restoredFrom").GetInt32()));
        var audit = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/audit"));
        Assert.Equal("Restored", audit.EnumerateArray().Last().GetProperty("kind").GetString());
    }

    [Fact]
    public async Task ReviseSectionAsksTheModelWithTheCitedHighlightsAndStoresANewRevisionWithProvenance()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id);
        factory.Llm.Responder = r => r.MessagesText.Contains("revise one section")
            ? FakeReply.Text("Heading: Second thread\nAttention, concretely: two protected hours every morning [2].")
            : FakeReply.Text("unexpected");
        var before = factory.Llm.Requests.Count;

        using var accepted = await editor.Client.PostJsonAsync($"/api/drafts/{id}/sections/1/revise", new { instruction = "make it concrete" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!.OriginalString;
        var status = await ReviewSeed.EventuallyAsync(
            async () => await OkJsonAsync(editor.Client.GetAsync(location)),
            s => s.GetProperty("status").GetString() is "Succeeded" or "Failed", "section revision");
        Assert.True(status.GetProperty("status").GetString() == "Succeeded", status.ToString());
        Assert.Equal(2, status.GetProperty("revision").GetInt32());

        var draft = await OkJsonAsync(editor.Client.GetAsync($"/api/drafts/{id}"));
        var section = draft.GetProperty("article").GetProperty("sections")[1];
        Assert.Equal("Attention, concretely: two protected hours every morning [2].", section.GetProperty("body").GetString());
        Assert.Equal("Second thread", section.GetProperty("heading").GetString());
        Assert.Equal(2, draft.GetProperty("revision").GetInt32());

        var revision = await OkJsonAsync(editor.Client.GetAsync($"/api/drafts/{id}/revisions/2"));
        Assert.Equal(("Revised", editor.Id), (revision.GetProperty("kind").GetString(), revision.GetProperty("userId").GetString()));
        var provenance = revision.GetProperty("provenance");
        Assert.Equal(("OpenAICompatible", "review-model", "Hatch/ReviseSection"),
            (provenance.GetProperty("writer").GetString(), provenance.GetProperty("model").GetString(), provenance.GetProperty("template").GetString()));
        Assert.Contains("make it concrete", revision.GetProperty("note").GetString());

        var sent = factory.Llm.Requests.Skip(before).Single();
        Assert.Contains("make it concrete", sent.MessagesText);
        Assert.Contains("Attention is the scarcest resource", sent.MessagesText); // the cited highlight
        Assert.DoesNotContain(ReviewSeed.UncitedMarker, sent.MessagesText);
        Assert.DoesNotContain(ReviewSeed.NoteMarker, sent.MessagesText); // an editor asked: the author's notes stay home
        var audit = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/audit"));
        Assert.Equal("Revised", audit.EnumerateArray().Last().GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AModelThatKeepsCitingOutsideTheSourcesFailsTheRevisionWithAReasonAndChangesNothing()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id);
        factory.Llm.Responder = _ => FakeReply.Text("A revision that cites an invented source [9].");
        var before = factory.Llm.Requests.Count;

        using var accepted = await author.Client.PostJsonAsync($"/api/drafts/{id}/sections/0/revise", new { instruction = "shorter" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var status = await ReviewSeed.EventuallyAsync(
            async () => await OkJsonAsync(author.Client.GetAsync(accepted.Headers.Location!.OriginalString)),
            s => s.GetProperty("status").GetString() is "Succeeded" or "Failed", "section revision");

        Assert.Equal("Failed", status.GetProperty("status").GetString());
        Assert.Contains("[9]", status.GetProperty("error").GetString());
        Assert.Equal(2, factory.Llm.Requests.Count - before); // one call and one repair round, no job retry
        Assert.Equal(1, (await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}"))).GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task CommentsAnchorToASectionAndTheAuthorAndEditorsSeeThem()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id);

        await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{id}/comments", new { body = "This section needs an example.", sectionIndex = 1 }), HttpStatusCode.Created);
        await OkJsonAsync(author.Client.PostJsonAsync($"/api/drafts/{id}/comments", new { body = "Added one." }), HttpStatusCode.Created);
        using var nowhere = await editor.Client.PostJsonAsync($"/api/drafts/{id}/comments", new { body = "?", sectionIndex = 9 });
        Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);

        var comments = await OkJsonAsync(author.Client.GetAsync($"/api/drafts/{id}/comments"));
        Assert.Equal([(1, "This section needs an example."), (-1, "Added one.")],
            comments.EnumerateArray().Select(c => (c.GetProperty("sectionIndex").ValueKind == JsonValueKind.Null ? -1 : c.GetProperty("sectionIndex").GetInt32(), c.GetProperty("body").GetString())).ToArray());
    }

    [Fact]
    public async Task APublishedArticleIsPublicWithoutPrivateDataAndInTheFeeds()
    {
        var (author, editor, _) = await PeopleAsync();
        var id = await factory.DraftAsync(author.Id, DraftStatus.Approved, editor.Id, title: "Feeds & <script>alert(1)</script> practice");
        var published = await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{id}/publish"));
        var slug = published.GetProperty("slug").GetString()!;

        var anonymous = factory.CreateClient();
        var page = await anonymous.GetStringAsync($"/a/{slug}");
        Assert.Contains("Feeds &amp; &lt;script&gt;alert(1)&lt;/script&gt; practice", page);
        Assert.DoesNotContain("<script>alert(1)", page);
        Assert.Matches(@"Hatched by a Hatch reader · [A-Z][a-z]{2} \d{1,2}, \d{4} · \d+ min read", WebUtility.HtmlDecode(page));
        Assert.Contains("Attention is the scarcest resource", page); // a cited source
        Assert.DoesNotContain(ReviewSeed.NoteMarker, page);
        Assert.DoesNotContain(ReviewSeed.UncitedMarker, page);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/a/no-such-article")).StatusCode);

        foreach (var feedUrl in new[] { "/feed.atom", $"/authors/{author.Id}/feed.atom" })
        {
            using var response = await anonymous.GetAsync(feedUrl);
            Assert.Equal("application/atom+xml", response.Content.Headers.ContentType!.MediaType);
            var xml = await response.Content.ReadAsStringAsync();
            var feed = XDocument.Parse(xml);
            XNamespace atom = "http://www.w3.org/2005/Atom";
            var entry = feed.Root!.Elements(atom + "entry").Single(e => e.Element(atom + "link")!.Attribute("href")!.Value.EndsWith($"/a/{slug}"));
            Assert.Equal("Feeds & <script>alert(1)</script> practice", entry.Element(atom + "title")!.Value);
            Assert.DoesNotContain("<script>alert(1)", xml); // the title is XML-escaped in the document
            Assert.DoesNotContain(ReviewSeed.NoteMarker, xml);
            Assert.DoesNotContain(ReviewSeed.UncitedMarker, xml);
        }
        var otherAuthor = await factory.UserAsync();
        var otherFeed = await anonymous.GetStringAsync($"/authors/{otherAuthor.Id}/feed.atom");
        Assert.DoesNotContain(slug, otherFeed);
    }

    [Fact]
    public async Task SlugsAreUniqueAndStable()
    {
        var (author, editor, _) = await PeopleAsync();
        var title = $"Same title {Guid.NewGuid():N}";
        var first = await factory.DraftAsync(author.Id, DraftStatus.Approved, editor.Id, title);
        var second = await factory.DraftAsync(author.Id, DraftStatus.Approved, editor.Id, title);
        var a = (await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{first}/publish"))).GetProperty("slug").GetString();
        var b = (await OkJsonAsync(editor.Client.PostJsonAsync($"/api/drafts/{second}/publish"))).GetProperty("slug").GetString();
        Assert.Equal(DraftEdits.Slugify(title), a);
        Assert.Equal(a + "-2", b);
    }

    [Fact]
    public async Task TheReviewQueueIsOldestFirstAndFiltersByStyleAndDate()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(HatchUser.Roles.Editor);
        // A fixed day, so a run that crosses midnight filters by the day the drafts were made.
        var day = new DateTimeOffset(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
        var first = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id, at: day);
        var second = await factory.DraftAsync(author.Id, DraftStatus.Submitted, editor.Id, at: day.AddMinutes(1));
        await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id, at: day.AddMinutes(2));
        var queue = await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={author.Id}"));
        Assert.Equal([first, second], queue.EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToArray());
        Assert.Empty((await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={author.Id}&style=briefing"))).EnumerateArray());
        Assert.Equal(2, (await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={author.Id}&style=essay&from=2026-03-14&to=2026-03-14"))).GetArrayLength());
        Assert.Empty((await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={author.Id}&from=2026-03-15"))).EnumerateArray());
        Assert.Empty((await OkJsonAsync(editor.Client.GetAsync($"/api/review?author={author.Id}&to=2000-01-01"))).EnumerateArray());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheReviewApi()
    {
        var document = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[]
                 {
                     "/api/drafts/{id}/submit", "/api/drafts/{id}/approve", "/api/drafts/{id}/reject", "/api/drafts/{id}/publish",
                     "/api/drafts/{id}/revisions", "/api/drafts/{id}/revisions/{number}", "/api/drafts/{id}/revisions/{number}/restore",
                     "/api/drafts/{id}/comments", "/api/drafts/{id}/audit", "/api/drafts/{id}/sections/{index}/revise", "/api/review",
                 })
            Assert.Contains($"\"{path}\"", document);
        Assert.Contains("\"put\"", document);
    }
}
