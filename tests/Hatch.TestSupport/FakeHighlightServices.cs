using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hatch.TestSupport;

/// <summary>A scripted failure of a fake service: a status, and for 429 the Retry-After seconds.</summary>
/// <param name="DropConnection">Closes the connection without an answer (a proxy or network failure) instead of answering <paramref name="Status"/>.</param>
public sealed record FakeFault(int Status, int? RetryAfterSeconds = null, bool DropConnection = false);

/// <summary>One request a fake highlight service received.</summary>
public sealed record ServiceRequest(string Path, IReadOnlyDictionary<string, string> Query, string? Authorization, DateTimeOffset ReceivedAt)
{
    public string? this[string name] => Query.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What both fake services share: a Kestrel on 127.0.0.1, request recording and scripted faults.</summary>
public abstract class FakeHighlightService : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ServiceRequest> _requests = new();

    /// <summary>The one token the service accepts; change it to revoke the old one.</summary>
    public string Token { get; set; } = "tok_" + Guid.NewGuid().ToString("N");

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<ServiceRequest> Requests => _requests.ToArray();

    /// <summary>Decides, per data request, whether to fail it instead (e.g. by cursor); null answers normally.</summary>
    public Func<ServiceRequest, FakeFault?>? Fault { get; set; }

    /// <summary>How long each data request waits before it answers.</summary>
    public TimeSpan Latency { get; set; }

    public void ClearRequests() => _requests.Clear();

    protected async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
    }

    protected abstract void Map(WebApplication app);

    protected ServiceRequest Record(HttpContext context)
    {
        var request = new ServiceRequest(
            context.Request.Path.Value ?? "",
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
            DateTimeOffset.UtcNow);
        _requests.Enqueue(request);
        return request;
    }

    /// <summary>Applies latency and any scripted fault; true when the request was answered with the fault.</summary>
    protected async Task<bool> FaultedAsync(HttpContext context, ServiceRequest request)
    {
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, context.RequestAborted);
        if (Fault?.Invoke(request) is not { } fault) return false;
        if (fault.DropConnection)
        {
            context.Abort();
            return true;
        }
        context.Response.StatusCode = fault.Status;
        if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.Response.WriteAsJsonAsync(new { detail = $"scripted {fault.Status}" });
        return true;
    }

    protected static Task WriteJsonAsync(HttpContext context, object body) =>
        context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A highlight held by <see cref="FakeReadwiseServer"/>.</summary>
public sealed class FakeReadwiseHighlight
{
    public long Id { get; init; }
    public long BookId { get; init; }
    public required string Text { get; set; }
    public string Note { get; set; } = "";
    public int Location { get; set; }
    public string LocationType { get; set; } = "location";
    public string? Color { get; set; } = "yellow";
    public string[] Tags { get; set; } = [];
    public bool IsFavorite { get; set; }
    public bool IsDiscard { get; set; }
    public bool IsDeleted { get; set; }
    public DateTimeOffset HighlightedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record FakeReadwiseBook(long Id, string Title, string? Author, string? SourceUrl, string[] Tags);

/// <summary>
/// Readwise's API v2 as documented, on 127.0.0.1: <c>GET /api/v2/auth/</c> (204 for the token, 401 otherwise) and
/// <c>GET /api/v2/export/?updatedAfter=&amp;pageCursor=</c>, which answers <c>{count, nextPageCursor, results}</c> with
/// books and their highlights nested, <see cref="PageSize"/> highlights a page, only those updated after
/// <c>updatedAfter</c>. Every edit stamps <c>updated_at</c> with the real clock, as the service does.
/// </summary>
public sealed class FakeReadwiseServer : FakeHighlightService
{
    private readonly object _gate = new();
    private readonly List<FakeReadwiseBook> _books = [];
    private readonly List<FakeReadwiseHighlight> _highlights = [];
    private long _nextId = 1000;

    public int PageSize { get; set; } = 1000;

    public static async Task<FakeReadwiseServer> StartNewAsync()
    {
        var server = new FakeReadwiseServer();
        await server.StartAsync();
        return server;
    }

    public FakeReadwiseBook AddBook(string title, string? author = null, string? sourceUrl = null, params string[] tags)
    {
        lock (_gate)
        {
            var book = new FakeReadwiseBook(Interlocked.Increment(ref _nextId), title, author, sourceUrl, tags);
            _books.Add(book);
            return book;
        }
    }

    public FakeReadwiseHighlight AddHighlight(FakeReadwiseBook book, string text, Action<FakeReadwiseHighlight>? configure = null)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var highlight = new FakeReadwiseHighlight
            {
                Id = Interlocked.Increment(ref _nextId), BookId = book.Id, Text = text, Location = _highlights.Count + 1,
                HighlightedAt = now.AddDays(-1), UpdatedAt = now,
            };
            configure?.Invoke(highlight);
            _highlights.Add(highlight);
            return highlight;
        }
    }

    /// <summary>Changes a highlight as a reader would in Readwise, which moves its <c>updated_at</c> on.</summary>
    public void Edit(FakeReadwiseHighlight highlight, Action<FakeReadwiseHighlight> change)
    {
        lock (_gate)
        {
            change(highlight);
            highlight.UpdatedAt = DateTimeOffset.UtcNow;
        }
    }

    public int HighlightCount
    {
        get { lock (_gate) return _highlights.Count; }
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/api/v2/auth/", context =>
        {
            var request = Record(context);
            context.Response.StatusCode = Authorized(request) ? 204 : 401;
            return Task.CompletedTask;
        });
        app.MapGet("/api/v2/export/", async context =>
        {
            var request = Record(context);
            if (!Authorized(request))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { detail = "Invalid token." });
                return;
            }
            if (await FaultedAsync(context, request)) return;
            context.Response.ContentType = "application/json";
            await WriteJsonAsync(context, Export(request));
        });
    }

    private bool Authorized(ServiceRequest request) => request.Authorization == "Token " + Token;

    private object Export(ServiceRequest request)
    {
        lock (_gate)
        {
            var after = request["updatedAfter"] is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
            var start = request["pageCursor"] is { } cursor ? long.Parse(cursor, CultureInfo.InvariantCulture) : 0;
            // Ordered by id, and the cursor is the id to continue after: stable while highlights are added or edited.
            // Deleted highlights come back (marked is_deleted) only to a client that asks for them.
            var withDeleted = request["includeDeleted"] == "true";
            var matching = _highlights.Where(h => after is null || h.UpdatedAt > after).Where(h => withDeleted || !h.IsDeleted)
                .Where(h => h.Id > start).OrderBy(h => h.Id).ToList();
            var page = matching.Take(PageSize).ToList();
            var next = matching.Count > PageSize ? page[^1].Id : (long?)null;
            var books = page.GroupBy(h => h.BookId).Select(g =>
            {
                var book = _books.First(b => b.Id == g.Key);
                return new Dictionary<string, object?>
                {
                    ["user_book_id"] = book.Id,
                    ["title"] = book.Title,
                    ["readable_title"] = book.Title,
                    ["author"] = book.Author,
                    ["source"] = "kindle",
                    ["cover_image_url"] = null,
                    ["unique_url"] = null,
                    ["book_tags"] = book.Tags.Select((t, i) => new { id = i + 1, name = t }).ToArray(),
                    ["category"] = "books",
                    ["document_note"] = "",
                    ["readwise_url"] = $"https://readwise.io/bookreview/{book.Id}",
                    ["source_url"] = book.SourceUrl,
                    ["asin"] = null,
                    ["highlights"] = g.Select(h => new Dictionary<string, object?>
                    {
                        ["id"] = h.Id,
                        ["text"] = h.Text,
                        ["location"] = h.Location,
                        ["location_type"] = h.LocationType,
                        ["note"] = h.Note,
                        ["color"] = h.Color,
                        ["highlighted_at"] = h.HighlightedAt.ToString("O", CultureInfo.InvariantCulture),
                        ["created_at"] = h.HighlightedAt.ToString("O", CultureInfo.InvariantCulture),
                        ["updated_at"] = h.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
                        ["external_id"] = null,
                        ["end_location"] = null,
                        ["url"] = null,
                        ["book_id"] = h.BookId,
                        ["tags"] = h.Tags.Select((t, i) => new { id = i + 1, name = t }).ToArray(),
                        ["is_favorite"] = h.IsFavorite,
                        ["is_discard"] = h.IsDiscard,
                        ["is_deleted"] = h.IsDeleted,
                        ["readwise_url"] = $"https://readwise.io/open/{h.Id}",
                    }).ToArray(),
                };
            }).ToArray();
            return new Dictionary<string, object?> { ["count"] = matching.Count, ["nextPageCursor"] = next, ["results"] = books };
        }
    }
}

/// <summary>An annotation held by <see cref="FakeHypothesisServer"/>.</summary>
public sealed class FakeAnnotation
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N")[..22];
    public string? Quote { get; set; }
    public string Text { get; set; } = "";
    public required string Uri { get; set; }
    public string? Title { get; set; }
    public string[] Tags { get; set; } = [];
    public string[] References { get; set; } = [];

    /// <summary>Whose it is (<c>acct:NAME@DOMAIN</c>): the account the fake served when it was added.</summary>
    public string User { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}

/// <summary>
/// Hypothesis's API as documented, on 127.0.0.1: <c>GET /api/profile</c> (the token's <c>userid</c>; 401 for an
/// unknown token) and <c>GET /api/search?user=&amp;sort=updated&amp;order=asc&amp;limit=&amp;search_after=</c>, which answers
/// <c>{total, rows}</c> with the user's annotations updated after <c>search_after</c>, oldest first.
/// </summary>
public sealed class FakeHypothesisServer : FakeHighlightService
{
    private readonly object _gate = new();
    private readonly List<FakeAnnotation> _annotations = [];
    private DateTimeOffset _clock = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    public string Username { get; set; } = "reader";

    /// <summary>The authority (domain) of the account: <c>hypothes.is</c> on the public service, another elsewhere.</summary>
    public string Authority { get; set; } = "hypothes.is";

    public string UserId => $"acct:{Username}@{Authority}";

    public static async Task<FakeHypothesisServer> StartNewAsync()
    {
        var server = new FakeHypothesisServer();
        await server.StartAsync();
        return server;
    }

    /// <summary>Each change is a second after the last, so <c>updated</c> is strictly increasing as on the real service.</summary>
    private DateTimeOffset Tick() => _clock = _clock.AddSeconds(1);

    public FakeAnnotation Add(string? quote, string uri, string? title = null, string text = "", Action<FakeAnnotation>? configure = null)
    {
        lock (_gate)
        {
            var now = Tick();
            var annotation = new FakeAnnotation { Quote = quote, Uri = uri, Title = title, Text = text, User = UserId, Created = now, Updated = now };
            configure?.Invoke(annotation);
            _annotations.Add(annotation);
            return annotation;
        }
    }

    /// <summary>Deletes an annotation as a reader would: the search no longer returns it, and says nothing of it.</summary>
    public void Delete(FakeAnnotation annotation)
    {
        lock (_gate) _annotations.Remove(annotation);
    }

    public void Edit(FakeAnnotation annotation, Action<FakeAnnotation> change)
    {
        lock (_gate)
        {
            change(annotation);
            annotation.Updated = Tick();
        }
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/api/profile", async context =>
        {
            var request = Record(context);
            if (!Authorized(request))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { status = "failure", reason = "Invalid token" });
                return;
            }
            await context.Response.WriteAsJsonAsync(new { userid = UserId, authority = Authority, groups = Array.Empty<object>() });
        });
        app.MapGet("/api/search", async context =>
        {
            var request = Record(context);
            if (!Authorized(request))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { status = "failure", reason = "Invalid token" });
                return;
            }
            if (await FaultedAsync(context, request)) return;
            context.Response.ContentType = "application/json";
            await WriteJsonAsync(context, Search(request));
        });
    }

    private bool Authorized(ServiceRequest request) => request.Authorization == "Bearer " + Token;

    private object Search(ServiceRequest request)
    {
        lock (_gate)
        {
            var limit = int.Parse(request["limit"] ?? "20", CultureInfo.InvariantCulture);
            var after = request["search_after"] is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
            var user = request["user"];
            // Only the asked account's annotations, as the service does: another account's (or authority's) are not found.
            var mine = _annotations.Where(a => a.User == user).ToList();
            var rows = mine.Where(a => after is null || a.Updated > after).OrderBy(a => a.Updated).Take(limit).Select(a => new Dictionary<string, object?>
            {
                ["id"] = a.Id,
                ["created"] = a.Created.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture),
                ["updated"] = a.Updated.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture),
                ["user"] = a.User,
                ["uri"] = a.Uri,
                ["text"] = a.Text,
                ["tags"] = a.Tags,
                ["group"] = "__world__",
                ["permissions"] = new { read = new[] { "group:__world__" } },
                ["target"] = a.Quote is null
                    ? new object[] { new { source = a.Uri } }
                    : new object[]
                    {
                        new
                        {
                            source = a.Uri,
                            selector = new object[]
                            {
                                new { type = "TextPositionSelector", start = 100, end = 100 + a.Quote.Length },
                                new { type = "TextQuoteSelector", exact = a.Quote, prefix = "", suffix = "" },
                            },
                        },
                    },
                ["document"] = a.Title is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["title"] = new[] { a.Title } },
                ["links"] = new { html = $"https://hypothes.is/a/{a.Id}" },
                ["references"] = a.References.Length == 0 ? null : a.References,
            }).ToArray();
            return new { total = mine.Count, rows };
        }
    }
}
