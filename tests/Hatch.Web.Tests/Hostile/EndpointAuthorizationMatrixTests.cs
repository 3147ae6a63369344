using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Hatch.Domain.Drafts;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// The authorization matrix for every endpoint of the app. The endpoints are read from the app's own
/// <see cref="EndpointDataSource"/> (each Razor page handler counts as one), so a new endpoint without a row here fails
/// <see cref="EveryEndpointOfTheAppHasARowAndEveryRowAnEndpoint"/>. Each row says who may use the endpoint; the expected
/// answer for each persona follows from that (anonymous: 401, or the sign-in redirect for pages; another user: 404 or
/// 403 and none of the owner's data; the wrong role: 403), and every case is sent and checked.
/// </summary>
public sealed class EndpointAuthorizationMatrixTests(EndpointAuthorizationMatrixTests.MatrixAppFactory factory)
    : IClassFixture<EndpointAuthorizationMatrixTests.MatrixAppFactory>, IAsyncLifetime
{
    /// <summary>
    /// The review app, with the personas signed in once for the whole matrix: signing five users in (each a password
    /// hash) before every one of about a hundred rows took four of the suite's ten minutes. No row changes a persona.
    /// </summary>
    public sealed class MatrixAppFactory : ReviewAppFactory
    {
        internal Task<(Dictionary<Persona, (string Id, HttpClient Client, string Token)> Personas, string SeedEditorId)>? SignedIn;
    }

    public enum Access
    {
        /// <summary>Anyone, signed in or not.</summary>
        Public,
        /// <summary>Signed in; acts on the caller's own data only (lists, settings, imports).</summary>
        Self,
        /// <summary>Signed in and the owner of the resource in the path; others get 404/403 and nothing of it.</summary>
        Owner,
        /// <summary>An editor acting on a draft submitted by someone else: the owner 403, other users 404.</summary>
        Review,
        /// <summary>Editors (and admins) only: the review queue.</summary>
        Editor,
        /// <summary>Admins only.</summary>
        Admin,
    }

    public enum Persona { Anonymous, Owner, Other, Editor, Admin }

    /// <summary>What a request is built from: the owner's draft (in the state the row asks for) and its neighbours.</summary>
    public sealed record Seed(Guid DraftId, Guid RequestId, Guid HighlightId, string? Slug, string OwnerId, string BystanderId, Guid ConnectionId);

    public sealed record Row(string Key, Access Access, DraftStatus State, Func<Seed, HttpRequestMessage> Build, params HttpStatusCode[] Ok)
    {
        public bool IsPage => Key.StartsWith("PAGE ", StringComparison.Ordinal);
    }

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);
    private static HttpRequestMessage Send(HttpMethod method, string path, object? json = null) =>
        new(method, path) { Content = JsonContent.Create(json ?? new { }) };
    private static HttpRequestMessage Form(string path, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
    }

    private const HttpStatusCode OK = HttpStatusCode.OK;
    private const HttpStatusCode Found = HttpStatusCode.Found;
    private const HttpStatusCode Accepted = HttpStatusCode.Accepted;
    private const HttpStatusCode Created = HttpStatusCode.Created;
    private const HttpStatusCode Conflict = HttpStatusCode.Conflict;
    private const HttpStatusCode Bad = HttpStatusCode.BadRequest;
    private const HttpStatusCode Unauthorized = HttpStatusCode.Unauthorized;
    private const DraftStatus D = DraftStatus.Draft;

    public static readonly IReadOnlyList<Row> Rows =
    [
        // ---- Identity's endpoints: open by design (they answer for bad input themselves), or the caller's own account ----
        new("POST /api/auth/register", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/register", new { email = $"m{Guid.NewGuid():N}@example.com", password = HatchAppFactory.Password }), OK),
        new("POST /api/auth/login", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/login", new { email = "nobody@example.com", password = "wrong-password" }), Unauthorized),
        new("POST /api/auth/refresh", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = "not-a-token" }), Unauthorized),
        new("GET /api/auth/confirmEmail", Access.Public, D, _ => Get("/api/auth/confirmEmail?userId=x&code=y"), Unauthorized),
        new("POST /api/auth/resendConfirmationEmail", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/resendConfirmationEmail", new { email = "nobody@example.com" }), OK),
        new("POST /api/auth/forgotPassword", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/forgotPassword", new { email = "nobody@example.com" }), OK),
        new("POST /api/auth/resetPassword", Access.Public, D, _ => Send(HttpMethod.Post, "/api/auth/resetPassword", new { email = "nobody@example.com", resetCode = "x", newPassword = "Passw0rd!y" }), Bad),
        new("POST /api/auth/manage/2fa", Access.Self, D, _ => Send(HttpMethod.Post, "/api/auth/manage/2fa", new { }), OK),
        new("GET /api/auth/manage/info", Access.Self, D, _ => Get("/api/auth/manage/info"), OK),
        new("POST /api/auth/manage/info", Access.Self, D, _ => Send(HttpMethod.Post, "/api/auth/manage/info", new { }), OK),

        // ---- the library ----
        new("GET /api/highlights/", Access.Self, D, _ => Get("/api/highlights"), OK),
        new("GET /api/highlights/{id:guid}", Access.Owner, D, s => Get($"/api/highlights/{s.HighlightId}"), OK),
        new("POST /api/highlights/", Access.Self, D, _ => Send(HttpMethod.Post, "/api/highlights", new[] { new { text = $"A new passage {Guid.NewGuid():N}.", source = "Peak" } }), OK),
        new("POST /api/highlights/import", Access.Self, D, _ => Form("/api/highlights/import") is var r && r.Content is MultipartFormDataContent f
            ? Add(r, f, new StringContent("# Book\n\n- An imported passage about practice.\n"), "file", "notes.md") : r, OK),
        new("GET /api/themes", Access.Self, D, _ => Get("/api/themes"), OK),
        new("GET /api/highlights/{id:guid}/related", Access.Owner, D, s => Get($"/api/highlights/{s.HighlightId}/related"), OK),
        new("GET /api/highlights/probable-duplicates", Access.Self, D, _ => Get("/api/highlights/probable-duplicates"), OK),
        new("GET /api/notes/", Access.Self, D, _ => Get("/api/notes"), OK),
        new("GET /api/export/library.zip", Access.Self, D, _ => Get("/api/export/library.zip"), OK),

        // ---- connections (the seeded one waits for a new token, so nothing here reaches a real service) ----
        new("POST /api/connections/", Access.Self, D, _ => Send(HttpMethod.Post, "/api/connections", new { service = "no-such-service", token = "x" }), Bad),
        new("GET /api/connections/", Access.Self, D, _ => Get("/api/connections"), OK),
        new("GET /api/connections/{id:guid}", Access.Owner, D, s => Get($"/api/connections/{s.ConnectionId}"), OK),
        new("POST /api/connections/{id:guid}/sync", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/connections/{s.ConnectionId}/sync"), Conflict),
        new("DELETE /api/connections/{id:guid}", Access.Owner, D, s => new HttpRequestMessage(HttpMethod.Delete, $"/api/connections/{s.ConnectionId}"), HttpStatusCode.NoContent),

        // ---- hatching ----
        // Another user's "hatch everything" finds nothing of the owner's: 400 "nothing to hatch".
        new("POST /api/hatches/", Access.Self, D, _ => Send(HttpMethod.Post, "/api/hatches", new { }), Accepted, Bad),
        new("GET /api/hatches/", Access.Self, D, _ => Get("/api/hatches"), OK),
        new("GET /api/hatches/{id:guid}", Access.Owner, D, s => Get($"/api/hatches/{s.RequestId}"), OK),
        new("POST /api/hatches/{id:guid}/retry", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/hatches/{s.RequestId}/retry"), Conflict),

        // ---- drafts and review ----
        new("GET /api/drafts/", Access.Self, D, _ => Get("/api/drafts"), OK),
        new("GET /api/drafts/{id:guid}", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}"), OK),
        new("POST /api/drafts/{id:guid}/submit", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/submit"), OK),
        new("POST /api/drafts/{id:guid}/approve", Access.Review, DraftStatus.Submitted, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/approve"), OK),
        new("POST /api/drafts/{id:guid}/reject", Access.Review, DraftStatus.Submitted, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/reject", new { reason = "Needs evidence." }), OK),
        new("POST /api/drafts/{id:guid}/publish", Access.Review, DraftStatus.Approved, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/publish"), OK),
        new("PUT /api/drafts/{id:guid}/", Access.Owner, D, s => Send(HttpMethod.Put, $"/api/drafts/{s.DraftId}",
            new { expectedRevision = 1, article = Hatch.TestSupport.ArticleJson.Valid(1, 2) with { Title = "Edited" } }), OK),
        new("GET /api/drafts/{id:guid}/download", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/download"), OK),
        new("GET /api/drafts/{id:guid}/revisions", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/revisions"), OK),
        new("GET /api/drafts/{id:guid}/revisions/{number:int}", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/revisions/1"), OK),
        new("POST /api/drafts/{id:guid}/revisions/{number:int}/restore", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/revisions/1/restore", new { expectedRevision = 1 }), OK),
        new("GET /api/drafts/{id:guid}/comments", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/comments"), OK),
        new("POST /api/drafts/{id:guid}/comments", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/comments", new { body = "A comment." }), Created),
        new("GET /api/drafts/{id:guid}/audit", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/audit"), OK),
        new("POST /api/drafts/{id:guid}/sections/{index:int}/revise", Access.Owner, D, s => Send(HttpMethod.Post, $"/api/drafts/{s.DraftId}/sections/0/revise", new { instruction = "make it concrete" }), Accepted),
        new("GET /api/drafts/{id:guid}/revise/{requestId:guid}", Access.Owner, D, s => Get($"/api/drafts/{s.DraftId}/revise/{s.RequestId}"), HttpStatusCode.NotFound),
        new("GET /api/review", Access.Editor, D, _ => Get("/api/review"), OK),
        new("GET /api/review/notifications/", Access.Editor, D, _ => Get("/api/review/notifications"), OK),
        new("PUT /api/review/notifications/", Access.Editor, D, _ => Send(HttpMethod.Put, "/api/review/notifications", new { emailOnSubmission = true }), OK),

        // ---- digests ----
        new("GET /api/digest-settings/", Access.Self, D, _ => Get("/api/digest-settings"), OK),
        new("PUT /api/digest-settings/", Access.Self, D, _ => Send(HttpMethod.Put, "/api/digest-settings", new { enabled = false }), OK),
        new("GET /api/digests/", Access.Self, D, _ => Get("/api/digests"), OK),
        new("POST /api/digest-settings/feed-token", Access.Self, D, _ => Send(HttpMethod.Post, "/api/digest-settings/feed-token"), OK),
        // The private feed and the one-click unsubscribe are anonymous by design: the token in the address is the
        // credential (a feed reader and a mail client cannot sign in), so a made-up one answers 404 and changes nothing.
        new("GET /digests/{token}/feed.atom", Access.Public, D, _ => Get("/digests/not-a-token/feed.atom"), HttpStatusCode.NotFound),

        // ---- public and machine routes ----
        new("GET /feed.atom", Access.Public, DraftStatus.Published, _ => Get("/feed.atom"), OK),
        new("GET /authors/{author}/feed.atom", Access.Public, DraftStatus.Published, s => Get($"/authors/{s.OwnerId}/feed.atom"), OK),
        new("GET /openapi/{documentName}.json", Access.Public, D, _ => Get("/openapi/v1.json"), OK),
        new("GET /scalar/{documentName?}", Access.Public, D, _ => Get("/scalar/"), OK),
        new("GET /scalar/scalar.js", Access.Public, D, _ => Get("/scalar/scalar.js"), OK),
        new("GET /scalar/scalar.aspnetcore.js", Access.Public, D, _ => Get("/scalar/scalar.aspnetcore.js"), OK),
        new("GET /scalar/favicon.svg", Access.Public, D, _ => Get("/scalar/favicon.svg"), OK),
        new("ANY /health", Access.Public, D, _ => Get("/health"), OK),
        new("ANY /hangfire/{**path}", Access.Admin, D, _ => Get("/hangfire"), OK),

        // ---- pages (one row per handler) ----
        new("PAGE /Index GET", Access.Public, D, _ => Get("/"), OK),
        new("PAGE /Error GET", Access.Public, D, _ => Get("/Error"), OK),
        new("PAGE /Account/Denied GET", Access.Public, D, _ => Get("/Account/Denied"), OK),
        new("PAGE /Account/Login GET", Access.Public, D, _ => Get("/Account/Login"), OK),
        new("PAGE /Account/Login POST", Access.Public, D, _ => Form("/Account/Login", ("Form.Email", "nobody@example.com"), ("Form.Password", "wrong-password")), OK),
        new("PAGE /Account/Register GET", Access.Public, D, _ => Get("/Account/Register"), OK),
        new("PAGE /Account/Register POST", Access.Public, D, _ => Form("/Account/Register", ("Form.Email", "not-an-email"), ("Form.Password", "x"), ("Form.ConfirmPassword", "y")), OK),
        new("PAGE /Account/Logout GET", Access.Public, D, _ => Get("/Account/Logout"), OK),
        new("PAGE /Account/Logout POST", Access.Public, D, _ => Form("/Account/Logout"), Found),
        new("PAGE /Public/Article GET", Access.Public, DraftStatus.Published, s => Get($"/a/{s.Slug}"), OK),
        new("PAGE /Admin/Users GET", Access.Admin, D, _ => Get("/Admin/Users"), OK),
        new("PAGE /Admin/Users POST", Access.Admin, D, s => Form("/Admin/Users", ("userId", s.BystanderId), ("role", "Editor"), ("grant", "true")), Found),
        new("PAGE /Connections/Index GET", Access.Self, D, _ => Get("/Connections"), OK),
        new("PAGE /Connections/Index POST Add", Access.Self, D, _ => Form("/Connections?handler=Add", ("Form.Service", "no-such-service"), ("Form.Token", "x")), OK),
        new("PAGE /Connections/Index POST Sync", Access.Self, D, s => Form($"/Connections?handler=Sync&id={s.ConnectionId}"), Found),
        new("PAGE /Connections/Index POST Remove", Access.Self, D, s => Form($"/Connections?handler=Remove&id={s.ConnectionId}"), Found),
        new("PAGE /Digests/Index GET", Access.Self, D, _ => Get("/Digests"), OK),
        new("PAGE /Digests/Unsubscribe GET", Access.Public, D, _ => Get("/Digests/Unsubscribe?token=forged"), HttpStatusCode.NotFound),
        new("PAGE /Digests/Unsubscribe POST", Access.Public, D, _ => Form("/Digests/Unsubscribe?token=forged", ("List-Unsubscribe", "One-Click")), HttpStatusCode.NotFound),
        new("PAGE /Digests/Index POST SendNow", Access.Self, D, _ => Form("/Digests?handler=SendNow"), Found),
        new("PAGE /Digests/Index POST Feed", Access.Self, D, _ => Form("/Digests?handler=Feed"), OK),
        new("PAGE /Digests/Index POST", Access.Self, D, _ => Form("/Digests", ("Form.Enabled", "false")), OK, Found),
        new("PAGE /Drafts/Index GET", Access.Self, D, _ => Get("/Drafts"), OK),
        new("PAGE /Drafts/Edit GET", Access.Owner, D, s => Get($"/Drafts/{s.DraftId}/Edit"), OK),
        new("PAGE /Drafts/Edit POST", Access.Owner, D, s => Form($"/Drafts/{s.DraftId}/Edit", ("ExpectedRevision", "1")), OK, Found),
        new("PAGE /Drafts/Revision GET", Access.Owner, D, s => Get($"/Drafts/{s.DraftId}/Revisions/1"), OK),
        new("PAGE /Drafts/Revision POST Restore", Access.Owner, D, s => Form($"/Drafts/{s.DraftId}/Revisions/1?handler=Restore", ("expectedRevision", "1")), Found),
        new("PAGE /Drafts/View GET", Access.Owner, D, s => Get($"/Drafts/{s.DraftId}"), OK),
        new("PAGE /Drafts/View GET Download", Access.Owner, D, s => Get($"/Drafts/{s.DraftId}?handler=Download&format=html"), OK),
        new("PAGE /Drafts/View POST Submit", Access.Owner, D, s => Form($"/Drafts/{s.DraftId}?handler=Submit"), Found),
        new("PAGE /Drafts/View POST Comment", Access.Owner, D, s => Form($"/Drafts/{s.DraftId}?handler=Comment", ("body", "A comment.")), Found),
        new("PAGE /Drafts/View POST Revise", Access.Owner, D, s => Form($"/Drafts/{s.DraftId}?handler=Revise", ("index", "0"), ("instruction", "make it concrete")), Found),
        new("PAGE /Drafts/View POST Approve", Access.Review, DraftStatus.Submitted, s => Form($"/Drafts/{s.DraftId}?handler=Approve"), Found),
        new("PAGE /Drafts/View POST Reject", Access.Review, DraftStatus.Submitted, s => Form($"/Drafts/{s.DraftId}?handler=Reject", ("reason", "Needs evidence.")), Found),
        new("PAGE /Drafts/View POST Publish", Access.Review, DraftStatus.Approved, s => Form($"/Drafts/{s.DraftId}?handler=Publish"), Found),
        new("PAGE /Hatches/Status GET", Access.Owner, D, s => Get($"/Hatches/{s.RequestId}"), OK),
        new("PAGE /Hatches/Status POST Retry", Access.Owner, D, s => Form($"/Hatches/{s.RequestId}?handler=Retry"), OK, Found),
        new("PAGE /Highlights/Index GET", Access.Self, D, _ => Get("/Highlights"), OK),
        new("PAGE /Highlights/Index POST Import", Access.Self, D, _ => Form("/Highlights?handler=Import") is var r && r.Content is MultipartFormDataContent f
            ? Add(r, f, new StringContent("# Book\n\n- An imported passage about practice.\n"), "upload", "notes.md") : r, OK),
        new("PAGE /Highlights/Index POST Hatch", Access.Self, D, _ => Form("/Highlights?handler=Hatch", ("Hatch.Scope", "all")), Found, OK),
        new("PAGE /Highlights/Index POST HatchTheme", Access.Self, D, _ => Form("/Highlights?handler=HatchTheme"), OK),
        new("PAGE /Highlights/View GET", Access.Owner, D, s => Get($"/Highlights/View/{s.HighlightId}"), OK),
        new("PAGE /Review/Index GET", Access.Editor, D, _ => Get("/Review"), OK),
        new("PAGE /Review/Index POST Notifications", Access.Editor, D, _ => Form("/Review?handler=Notifications", ("emailOnSubmission", "true")), OK),
    ];

    private static HttpRequestMessage Add(HttpRequestMessage request, MultipartFormDataContent form, HttpContent content, string name, string file)
    {
        form.Add(content, name, file);
        return request;
    }

    private Dictionary<Persona, (string Id, HttpClient Client, string Token)> _personas = [];
    private string _seedEditorId = "";

    public async Task InitializeAsync()
    {
        factory.Llm.Responder = _ => Hatch.TestSupport.FakeReply.Text("A concrete revision of the section [1].");
        (_personas, _seedEditorId) = await (factory.SignedIn ??= SignInPersonasAsync());
    }

    private async Task<(Dictionary<Persona, (string Id, HttpClient Client, string Token)>, string)> SignInPersonasAsync()
    {
        var personas = new Dictionary<Persona, (string Id, HttpClient Client, string Token)>();
        foreach (var persona in new[] { Persona.Owner, Persona.Other, Persona.Editor, Persona.Admin })
        {
            var roles = persona switch { Persona.Editor => [HatchUser.Roles.Editor], Persona.Admin => [HatchUser.Roles.Admin], _ => Array.Empty<string>() };
            var user = await factory.UserAsync(roles);
            personas[persona] = await SignInAsync(user.Id, user.Email);
        }
        var seedEditorId = (await factory.UserAsync(HatchUser.Roles.Editor)).Id;
        var anonymous = Client();
        personas[Persona.Anonymous] = ("", anonymous, await TokenAsync(anonymous, "/Account/Login"));
        return (personas, seedEditorId);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private HttpClient Client() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser-like client: the sign-in cookie, and the anti-forgery token its forms would carry.</summary>
    private async Task<(string, HttpClient, string)> SignInAsync(string id, string email)
    {
        var client = Client();
        (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        return (id, client, await TokenAsync(client, "/Highlights"));
    }

    private static async Task<string> TokenAsync(HttpClient client, string path) =>
        AntiforgeryForm.Token(await client.GetStringAsync(path));


    /// <summary>Every endpoint the app maps, as the rows name them: "METHOD /route", or "PAGE /Folder/Page VERB Handler".</summary>
    private IReadOnlyList<(string Key, Endpoint Endpoint)> AppEndpoints()
    {
        _ = factory.Server;
        var keys = new List<(string, Endpoint)>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            // Files under wwwroot are public by nature and hold no user data.
            if (endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")) continue;
            if (endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>() is { } page)
            {
                // A page without a model (Index, Error, Denied) has no handler methods and answers GET.
                if (page.HandlerMethods.Count == 0) keys.Add(($"PAGE {page.ViewEnginePath} GET", endpoint));
                foreach (var handler in page.HandlerMethods)
                    keys.Add(($"PAGE {page.ViewEnginePath} {handler.HttpMethod.ToUpperInvariant()}{(handler.Name is { } name ? " " + name : "")}", endpoint));
                continue;
            }
            if (endpoint is not RouteEndpoint route) continue;
            var pattern = "/" + route.RoutePattern.RawText!.TrimStart('/');
            if (pattern == "/{**path:file}") continue; // the static files fallback
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            keys.Add(($"{(methods.Count == 0 ? "ANY" : string.Join(",", methods))} {pattern}", endpoint));
        }
        return keys.DistinctBy(k => k.Item1).ToArray();
    }

    [Fact]
    public void EveryEndpointOfTheAppHasARowAndEveryRowAnEndpoint()
    {
        var mapped = AppEndpoints().Select(e => e.Key).ToHashSet();
        var rows = Rows.Select(r => r.Key).ToHashSet();
        var missing = mapped.Except(rows).Order().ToArray();
        var stale = rows.Except(mapped).Order().ToArray();
        Assert.True(missing.Length == 0, "Endpoints without a row in the authorization matrix (add one, with who may use it):\n" + string.Join("\n", missing));
        Assert.True(stale.Length == 0, "Rows for endpoints the app no longer has:\n" + string.Join("\n", stale));
        Assert.Equal(Rows.Count, rows.Count);
    }

    public static TheoryData<string> RowKeys => new(Rows.Select(r => r.Key));

    [Theory]
    [MemberData(nameof(RowKeys))]
    public async Task EveryPersonaGetsWhatTheRowAllows(string key)
    {
        var row = Rows.Single(r => r.Key == key);
        var failures = new List<string>();
        foreach (var persona in Personas(row.Access))
        {
            var seed = await SeedAsync(row.State);
            using var request = row.Build(seed);
            var (_, client, token) = _personas[persona];
            request.Headers.Add("RequestVerificationToken", token);
            if (request.Content is MultipartFormDataContent form) form.Add(new StringContent(token), "__RequestVerificationToken");
            if (row.IsPage) request.Headers.Accept.ParseAdd("text/html");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = response.StatusCode;
            var location = response.Headers.Location?.OriginalString ?? "";
            var expected = Expected(row, persona);
            if (!expected.Contains(status, location))
                failures.Add($"{persona}: expected {expected}, got {(int)status} {location} {Shorten(body)}");
            if (persona is Persona.Other or Persona.Anonymous && row.Access is Access.Owner or Access.Review && body.Contains(ReviewSeed.NoteMarker))
                failures.Add($"{persona}: the response carries the owner's private note: {Shorten(body)}");
            if (row.Access == Access.Review && persona != Persona.Editor && await StatusAsync(seed.DraftId) != row.State)
                failures.Add($"{persona}: the draft moved from {row.State} to {await StatusAsync(seed.DraftId)}");
            if (persona == Persona.Other && row.Access == Access.Self && (body.Contains(ReviewSeed.NoteMarker) || body.Contains(ReviewSeed.UncitedMarker)))
                failures.Add($"{persona}: the response carries the owner's highlights: {Shorten(body)}");
        }
        Assert.True(failures.Count == 0, $"{key} ({row.Access}):\n" + string.Join("\n", failures));
    }

    private static IEnumerable<Persona> Personas(Access access) => access switch
    {
        Access.Public => [Persona.Anonymous], // a signed-in caller of a public endpoint is no different (and signing out would end the run)
        Access.Self or Access.Owner => [Persona.Anonymous, Persona.Other, Persona.Owner],
        Access.Review => [Persona.Anonymous, Persona.Owner, Persona.Other, Persona.Editor],
        Access.Editor => [Persona.Anonymous, Persona.Owner, Persona.Editor],
        Access.Admin => [Persona.Anonymous, Persona.Owner, Persona.Editor, Persona.Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private sealed record Expectation(string Description, Func<HttpStatusCode, string, bool> Accepts)
    {
        public bool Contains(HttpStatusCode status, string location) => Accepts(status, location);
        public override string ToString() => Description;
    }

    private static Expectation Expected(Row row, Persona persona)
    {
        Expectation Allowed() => new(string.Join("/", row.Ok.Select(s => (int)s)), (s, _) => row.Ok.Contains(s));
        var signIn = row.IsPage
            ? new Expectation("302 to sign-in", (s, l) => s == Found && l.Contains("/Account/Login"))
            : new Expectation("401", (s, _) => s == Unauthorized);
        // A page refuses a workflow action on a draft the caller may see by sending them back to it with a message;
        // that the draft did not change is checked separately.
        var forbidden = row.IsPage
            ? new Expectation("403, or 302 to Denied or back to the draft", (s, l) => s == HttpStatusCode.Forbidden
                || s == Found && (l.Contains("/Account/Denied") || row.Access == Access.Review && l.StartsWith("/Drafts/")))
            : new Expectation("403", (s, _) => s is HttpStatusCode.Forbidden);
        var hidden = new Expectation("404 or 403", (s, _) => s is HttpStatusCode.NotFound or HttpStatusCode.Forbidden);
        if (row.Access == Access.Public) return Allowed();
        if (persona == Persona.Anonymous)
            // The fallback policy (issue 18) sends an anonymous visitor of /hangfire to the sign-in page too.
            return row.Key.Contains("/hangfire") ? new Expectation("302 to sign-in", (s, l) => s == Found && l.Contains("/Account/Login")) : signIn;
        return (row.Access, persona) switch
        {
            (Access.Self, _) => Allowed(),
            (Access.Owner, Persona.Owner) => Allowed(),
            (Access.Owner, _) => hidden,
            (Access.Review, Persona.Editor) => Allowed(),
            (Access.Review, Persona.Owner) => forbidden,
            (Access.Review, _) => hidden,
            (Access.Editor, Persona.Editor or Persona.Admin) => Allowed(),
            (Access.Admin, Persona.Admin) => Allowed(),
            _ => forbidden,
        };
    }

    /// <summary>A fresh draft of the owner's in the state the row needs, with its request and highlights.</summary>
    private async Task<Seed> SeedAsync(DraftStatus state)
    {
        var ownerId = _personas[Persona.Owner].Id;
        var draftId = await factory.DraftAsync(ownerId, state, _seedEditorId);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        var draft = await db.Drafts.AsNoTracking().Include(d => d.Highlights).FirstAsync(d => d.Id == draftId);
        var highlightId = draft.Highlights.OrderBy(h => h.Number).Select(h => h.HighlightId).First();
        var connection = Hatch.Domain.Connections.Connection.Create(ownerId, "readwise", null, "not-a-protected-token", "token-ending-1234", DateTimeOffset.UtcNow);
        db.Connections.Add(connection);
        db.Entry(connection).Property(c => c.Status).CurrentValue = Hatch.Domain.Connections.ConnectionStatus.NeedsToken;
        await db.SaveChangesAsync();
        return new Seed(draftId, draft.RequestId, highlightId, draft.Slug, ownerId, _seedEditorId, connection.Id);
    }

    private async Task<DraftStatus> StatusAsync(Guid draftId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Drafts.Where(d => d.Id == draftId).Select(d => d.Status).SingleAsync();
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
