using Hatch.Domain.Articles;
using Hatch.Domain.Drafts;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;

namespace Hatch.Domain.Tests.Drafts;

/// <summary>
/// Every transition from every state by every kind of actor, against a table written from the issue: the legal ones
/// land in the expected state, the others throw (permission first, then state) and change nothing.
/// </summary>
public sealed class DraftWorkflowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private const string Owner = "owner";

    public enum Who { Author, AuthorWhoIsEditor, OtherUser, Editor, Admin }

    private static DraftActor ActorFor(Who who) => who switch
    {
        Who.Author => new DraftActor(Owner),
        Who.AuthorWhoIsEditor => new DraftActor(Owner, IsEditor: true),
        Who.OtherUser => new DraftActor("someone"),
        Who.Editor => new DraftActor("editor", IsEditor: true),
        _ => new DraftActor("admin", IsAdmin: true),
    };

    private static Article Article(string title = "A title") => new(
        title, "Overview [1].",
        [new ArticleSection("One", "Body one [1].", [1]), new ArticleSection("Two", "Body two.", [2])],
        [new AdviceItem("Do it", "Because [2].", [2])], "Conclusion.", 1);

    internal static Draft NewDraft(DraftStatus state)
    {
        var request = HatchRequest.Create(Owner, HatchSelection.All, new HatchSettings(), Now);
        Highlight H(string t) => new() { Text = t, Source = new HighlightSource("S") };
        var document = new DraftDocument(Article(), [new NumberedHighlight(1, H("one")), new NumberedHighlight(2, H("two"))],
            new DraftProvenance { Writer = "Extractive", CreatedAt = Now });
        var hashes = document.Highlights.ToDictionary(h => h.Highlight.ContentHash, _ => Guid.NewGuid());
        var draft = Draft.Create(request, document, "# A draft", hashes, Now);
        var reviewer = new DraftActor("seed-editor", IsEditor: true);
        if (state != DraftStatus.Draft) draft.Submit(new DraftActor(Owner), Now);
        if (state is DraftStatus.Approved or DraftStatus.Published) draft.Approve(reviewer, Now);
        if (state == DraftStatus.Published) draft.Publish(reviewer, "a-slug", Now);
        if (state == DraftStatus.Rejected) draft.Reject(reviewer, "Because.", Now);
        return draft;
    }

    /// <summary>The rules: (allowed for this actor at all, legal from this state, the state it leads to).</summary>
    private static (bool Permitted, bool Legal, DraftStatus To) Rule(DraftAction action, Who who, DraftStatus from)
    {
        var owner = who is Who.Author or Who.AuthorWhoIsEditor;
        var reviewer = who is Who.AuthorWhoIsEditor or Who.Editor or Who.Admin;
        return action switch
        {
            DraftAction.Submit => (owner, from is DraftStatus.Draft or DraftStatus.Rejected, DraftStatus.Submitted),
            DraftAction.Approve => (reviewer && !owner, from is DraftStatus.Submitted, DraftStatus.Approved),
            DraftAction.Reject => (reviewer && !owner, from is DraftStatus.Submitted or DraftStatus.Approved, DraftStatus.Rejected),
            // Issue 18: an editor never publishes their own draft, nor edits it while another editor reviews it.
            DraftAction.Publish => (reviewer && !owner, from is DraftStatus.Approved, DraftStatus.Published),
            _ => (owner || reviewer,
                (owner && from is DraftStatus.Draft or DraftStatus.Rejected) || (reviewer && !owner && from is DraftStatus.Submitted),
                from == DraftStatus.Rejected ? DraftStatus.Draft : from),
        };
    }

    public static TheoryData<DraftAction, Who, DraftStatus> Cases()
    {
        var data = new TheoryData<DraftAction, Who, DraftStatus>();
        foreach (var action in Enum.GetValues<DraftAction>())
        foreach (var who in Enum.GetValues<Who>())
        foreach (var state in Enum.GetValues<DraftStatus>())
            data.Add(action, who, state);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ATransitionDoesWhatTheRulesSayOrThrowsAndChangesNothing(DraftAction action, Who who, DraftStatus from)
    {
        var draft = NewDraft(from);
        var actor = ActorFor(who);
        // Editors do not see drafts that were never submitted, nor rejected ones (back with the author): a permission problem too.
        var visible = who is Who.Author or Who.AuthorWhoIsEditor || from is not (DraftStatus.Draft or DraftStatus.Rejected);
        var (permitted, legal, to) = Rule(action, who, from);
        var before = (draft.Status, draft.Revision, draft.Version, Events: draft.Events.Count, Revisions: draft.Revisions.Count);

        void Act()
        {
            switch (action)
            {
                case DraftAction.Submit: draft.Submit(actor, Now); break;
                case DraftAction.Approve: draft.Approve(actor, Now); break;
                case DraftAction.Reject: draft.Reject(actor, "Not yet.", Now); break;
                case DraftAction.Publish: draft.Publish(actor, "the-slug", Now); break;
                default: draft.Edit(actor, Article("Edited"), "# Edited", draft.Revision, Now); break;
            }
        }

        Assert.Equal(visible && permitted && legal, draft.Allows(action, actor));
        if (!visible || !permitted)
        {
            Assert.Throws<DraftPermissionException>(Act);
            Assert.Equal(before, (draft.Status, draft.Revision, draft.Version, draft.Events.Count, draft.Revisions.Count));
        }
        else if (!legal)
        {
            var ex = Assert.Throws<DraftWorkflowException>(Act);
            Assert.Equal(from, ex.Current);
            Assert.Equal(before, (draft.Status, draft.Revision, draft.Version, draft.Events.Count, draft.Revisions.Count));
        }
        else
        {
            Act();
            Assert.Equal(to, draft.Status);
            Assert.Equal(before.Version + 1, draft.Version);
            Assert.Equal(before.Events + 1, draft.Events.Count);
            Assert.Equal(actor.UserId, draft.Events[^1].UserId);
            Assert.Equal(action == DraftAction.Edit ? before.Revision + 1 : before.Revision, draft.Revision);
        }
    }

    [Fact]
    public void AStaleEditThrowsAConflictAndARejectionNeedsAReason()
    {
        var draft = NewDraft(DraftStatus.Draft);
        var author = new DraftActor(Owner);
        draft.Edit(author, Article("Second"), "# Second", 1, Now);
        var conflict = Assert.Throws<DraftRevisionConflictException>(() => draft.Edit(author, Article("Third"), "# Third", 1, Now));
        Assert.Equal((2, 1), (conflict.Current, conflict.Expected));

        var submitted = NewDraft(DraftStatus.Submitted);
        Assert.Equal("reason", Assert.Throws<DraftInputException>(() => submitted.Reject(new DraftActor("e", IsEditor: true), "   ", Now)).Field);
        Assert.Equal(DraftStatus.Submitted, submitted.Status);
    }

    [Fact]
    public void SlugsAreLowerCaseAsciiWordsAndBounded()
    {
        Assert.Equal("cafe-creme-deep-work-2026", DraftEdits.Slugify("Café Crème & Deep Work: 2026!"));
        Assert.Equal("article", DraftEdits.Slugify("!!!"));
        Assert.True(DraftEdits.Slugify(new string('a', 50) + " " + new string('b', 50)).Length <= 80);
    }

    [Fact]
    public void EditValidationNamesTheSectionThatCitesOutsideTheSources()
    {
        var article = Article() with { Sections = [new ArticleSection("One", "Body [1].", [1]), new ArticleSection("Two", "Body [3].", [2, 3])] };
        var errors = DraftEdits.Validate(article, new HashSet<int> { 1, 2 });
        Assert.Contains(errors["sections[1]"], e => e.Contains("\"Two\"") && e.Contains("[3]"));
        // A gap in the draft's numbering: 2 is in range but not a source.
        var gap = DraftEdits.Validate(Article(), new HashSet<int> { 1, 3 });
        Assert.Contains(gap["sections[1]"], e => e.Contains("not among this draft's sources"));
        Assert.Empty(DraftEdits.Validate(Article(), new HashSet<int> { 1, 2 }));
    }
}
