using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;

namespace Hatch.Web.Tests;

/// <summary>
/// The authorization matrix, generated: every review endpoint × every persona (anonymous, author, other user, editor,
/// admin) × own draft or someone else's × every workflow state. The expected status comes from <see cref="Expected"/>,
/// a small rule function written from the issue's rules independently of the production code; every response to
/// someone who is not the author is checked for the author's private data.
/// </summary>
public sealed class ReviewAuthorizationMatrixTests(ReviewAuthorizationMatrixTests.MatrixAppFactory factory)
    : IClassFixture<ReviewAuthorizationMatrixTests.MatrixAppFactory>, IAsyncLifetime
{
    /// <summary>The review app, with the matrix's users registered once for all its rows (each is a password hash).</summary>
    public sealed class MatrixAppFactory : ReviewAppFactory
    {
        internal Task<(Dictionary<Persona, TestUser> Users, TestUser Stranger, TestUser SeedEditor)>? Registered;
    }

    public enum Persona { Anonymous, Author, OtherUser, Editor, Admin }

    /// <summary>What an endpoint does: look (any who may see the draft), or one of the workflow's actions.</summary>
    public enum Kind { View, Submit, Approve, Reject, Publish, Edit, Queue }

    public sealed record Endpoint(string Name, HttpMethod Method, string Path, Kind Kind, HttpStatusCode Success, Func<object?>? Body = null)
    {
        public bool Mutates => Kind is not (Kind.View or Kind.Queue) || Method != HttpMethod.Get;
    }

    public static readonly IReadOnlyList<Endpoint> Endpoints =
    [
        new("get draft", HttpMethod.Get, "/api/drafts/{id}", Kind.View, HttpStatusCode.OK),
        new("submit", HttpMethod.Post, "/api/drafts/{id}/submit", Kind.Submit, HttpStatusCode.OK),
        new("approve", HttpMethod.Post, "/api/drafts/{id}/approve", Kind.Approve, HttpStatusCode.OK),
        new("reject", HttpMethod.Post, "/api/drafts/{id}/reject", Kind.Reject, HttpStatusCode.OK, () => new { reason = "The second section needs evidence." }),
        new("publish", HttpMethod.Post, "/api/drafts/{id}/publish", Kind.Publish, HttpStatusCode.OK),
        new("edit", HttpMethod.Put, "/api/drafts/{id}", Kind.Edit, HttpStatusCode.OK,
            () => new { expectedRevision = 1, article = ArticleJson.Valid(1, 2) with { Title = "An edited title" } }),
        new("revisions", HttpMethod.Get, "/api/drafts/{id}/revisions", Kind.View, HttpStatusCode.OK),
        new("revision", HttpMethod.Get, "/api/drafts/{id}/revisions/1", Kind.View, HttpStatusCode.OK),
        new("restore", HttpMethod.Post, "/api/drafts/{id}/revisions/1/restore", Kind.Edit, HttpStatusCode.OK, () => new { expectedRevision = 1 }),
        new("comments", HttpMethod.Get, "/api/drafts/{id}/comments", Kind.View, HttpStatusCode.OK),
        new("comment", HttpMethod.Post, "/api/drafts/{id}/comments", Kind.View, HttpStatusCode.Created, () => new { body = "Tighten the opening.", sectionIndex = 0 }),
        new("audit", HttpMethod.Get, "/api/drafts/{id}/audit", Kind.View, HttpStatusCode.OK),
        new("revise section", HttpMethod.Post, "/api/drafts/{id}/sections/0/revise", Kind.Edit, HttpStatusCode.Accepted, () => new { instruction = "make it concrete" }),
        new("review queue", HttpMethod.Get, "/api/review", Kind.Queue, HttpStatusCode.OK),
    ];

    public static TheoryData<string> EndpointNames => new(Endpoints.Select(e => e.Name));

    /// <summary>The rules of issue 5, as a table a reader can check line by line.</summary>
    public static HttpStatusCode Expected(Endpoint endpoint, Persona persona, bool own, DraftStatus state)
    {
        if (persona == Persona.Anonymous) return HttpStatusCode.Unauthorized;
        var reviewer = persona is Persona.Editor or Persona.Admin;
        if (endpoint.Kind == Kind.Queue) return reviewer ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
        // Authors see their drafts; editors see drafts once they have been submitted, but not while they are rejected
        // (back with the author); nobody else sees anything.
        var visible = own || (reviewer && state is not (DraftStatus.Draft or DraftStatus.Rejected));
        if (!visible) return HttpStatusCode.NotFound;
        bool legal;
        switch (endpoint.Kind)
        {
            case Kind.View:
                return endpoint.Success;
            case Kind.Submit:
                if (!own) return HttpStatusCode.Forbidden;
                legal = state is DraftStatus.Draft or DraftStatus.Rejected;
                break;
            case Kind.Approve:
                if (!reviewer || own) return HttpStatusCode.Forbidden; // only editors, and never their own draft
                legal = state is DraftStatus.Submitted;
                break;
            case Kind.Reject:
                if (!reviewer || own) return HttpStatusCode.Forbidden;
                legal = state is DraftStatus.Submitted or DraftStatus.Approved;
                break;
            case Kind.Publish:
                if (!reviewer || own) return HttpStatusCode.Forbidden; // never their own draft either
                legal = state is DraftStatus.Approved;
                break;
            case Kind.Edit:
                // An editor-author may not change what another editor is approving.
                legal = (own && state is DraftStatus.Draft or DraftStatus.Rejected) || (reviewer && !own && state is DraftStatus.Submitted);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(endpoint));
        }
        return legal ? endpoint.Success : HttpStatusCode.Conflict;
    }

    private Dictionary<Persona, TestUser> _users = [];
    private TestUser _stranger = null!;
    private TestUser _seedEditor = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        // The model answers every section revision the matrix asks for with a valid body.
        factory.Llm.Responder = _ => FakeReply.Text("A concrete revision of the section [1].");
        (_users, _stranger, _seedEditor) = await (factory.Registered ??= RegisterAsync());
        _anonymous = factory.CreateClient();
    }

    private async Task<(Dictionary<Persona, TestUser>, TestUser, TestUser)> RegisterAsync()
    {
        var users = new Dictionary<Persona, TestUser>
        {
            [Persona.Author] = await factory.UserAsync(),
            [Persona.OtherUser] = await factory.UserAsync(),
            [Persona.Editor] = await factory.UserAsync(HatchUser.Roles.Editor),
            [Persona.Admin] = await factory.UserAsync(HatchUser.Roles.Admin),
        };
        return (users, await factory.UserAsync(), await factory.UserAsync(HatchUser.Roles.Editor));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task EveryPersonaOwnOrNotInEveryStateGetsTheStatusTheRulesGive(string name)
    {
        var endpoint = Endpoints.Single(e => e.Name == name);
        var failures = new List<string>();
        var cases = 0;
        // Drafts only looked at can be shared between cases; a draft an action may change is fresh for each case.
        var shared = new Dictionary<(string Owner, DraftStatus State), Guid>();
        foreach (var persona in Enum.GetValues<Persona>())
        foreach (var own in new[] { true, false })
        foreach (var state in Enum.GetValues<DraftStatus>())
        {
            if (persona == Persona.Anonymous && own) continue; // nobody is signed in to own anything
            var owner = own ? _users[persona] : _stranger;
            Guid id;
            if (endpoint.Mutates)
                id = await factory.DraftAsync(owner.Id, state, _seedEditor.Id);
            else if (!shared.TryGetValue((owner.Id, state), out id))
                shared[(owner.Id, state)] = id = await factory.DraftAsync(owner.Id, state, _seedEditor.Id);

            var client = persona == Persona.Anonymous ? _anonymous : _users[persona].Client;
            using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path.Replace("{id}", id.ToString()));
            if (endpoint.Body?.Invoke() is { } body) request.Content = JsonContent.Create(body, options: ReviewSeed.Json);
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            cases++;

            var expected = Expected(endpoint, persona, own, state);
            var where = $"{persona}, {(own ? "own" : "someone else's")} draft, {state}";
            if (response.StatusCode != expected)
                failures.Add($"{where}: expected {(int)expected}, got {(int)response.StatusCode} {Shorten(text)}");
            if (!own && (text.Contains(ReviewSeed.NoteMarker) || text.Contains(ReviewSeed.UncitedMarker)))
                failures.Add($"{where}: the response leaks the author's private highlights or notes: {Shorten(text)}");
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized && text.Contains("Practice and attention"))
                failures.Add($"{where}: a refusal carries the draft's content");
            if (response.StatusCode == HttpStatusCode.Conflict && endpoint.Kind != Kind.View)
            {
                // An illegal transition says which state the draft is in.
                var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
                if (!problem.TryGetProperty("state", out var current) || current.GetString() != state.ToString())
                    failures.Add($"{where}: the 409 does not carry the current state {state}: {Shorten(text)}");
            }
        }
        Assert.True(cases >= 45, $"only {cases} cases generated");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases for '{name}' disagree with the rules:\n" + string.Join("\n", failures));
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
