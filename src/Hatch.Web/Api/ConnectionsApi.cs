using System.Security.Claims;
using Hatch.Domain.Connections;
using Hatch.Features.Sync;
using Microsoft.AspNetCore.Http.HttpResults;

using Hatch.Web.Infrastructure;

namespace Hatch.Web.Api;

/// <summary>What the API shows of a connection: never the token, only its last four characters.</summary>
public sealed record ConnectionDto(
    Guid Id, string Service, string? Username, ConnectionStatus Status, DateTimeOffset? LastSyncedAt, int Imported, string? Error,
    string TokenHint, DateTimeOffset? NextSyncAt, DateTimeOffset CreatedAt)
{
    public static ConnectionDto From(Connection c) =>
        new(c.Id, c.Service, c.Username, c.Status, c.LastSyncedAt, c.Imported, c.Error, c.TokenHint, c.NextSyncAt, c.CreatedAt);
}

/// <summary>The body of <c>POST /api/connections</c>.</summary>
public sealed record AddConnectionRequest(string? Service, string? Token, string? Username);

/// <summary>/api/connections: a reader's links to Readwise and Hypothesis.</summary>
public static class ConnectionsApi
{
    public static IEndpointRouteBuilder MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/connections")
            .WithTags("Connections")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();
        group.MapPost("/", AddAsync).RequireRateLimiting(RateLimitPolicies.Import).WithSummary(
            "Connects Readwise ({service: readwise, token}) or Hypothesis ({service: hypothesis, token, username}); the token is checked with the service at once. " +
            "201 with the connection, 200 when it replaces the token of a connection the reader already has, 400 naming the field the service or the request refused.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", ListAsync).WithSummary("The reader's connections: status (Syncing, Idle, NeedsToken, Failed), last sync, highlights imported, error.");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One connection.");
        group.MapPost("/{id:guid}/sync", SyncAsync).RequireRateLimiting(RateLimitPolicies.Import).WithSummary("Asks for a sync now (202); 409 while the connection waits for a new token.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapDelete("/{id:guid}", RemoveAsync).WithSummary("Removes the connection and its token; the highlights it brought stay.");
        return app;
    }

    private static async Task<Results<Created<ConnectionDto>, Ok<ConnectionDto>, ValidationProblem, ProblemHttpResult>> AddAsync(
        AddConnectionRequest body, ClaimsPrincipal user, ConnectionService connections, CancellationToken ct)
    {
        var result = await connections.AddAsync(user.UserId(), body.Service, body.Token, body.Username, ct);
        return result switch
        {
            AddConnectionResult.Added { Created: true } added =>
                TypedResults.Created($"/api/connections/{added.Connection.Id}", ConnectionDto.From(added.Connection)),
            AddConnectionResult.Added added => TypedResults.Ok(ConnectionDto.From(added.Connection)),
            AddConnectionResult.Invalid invalid => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [invalid.Field] = [invalid.Message] }),
            AddConnectionResult.Unavailable unavailable => TypedResults.Problem(
                title: "The service could not check the token", detail: unavailable.Message, statusCode: StatusCodes.Status503ServiceUnavailable),
            _ => throw new InvalidOperationException("Unknown result"),
        };
    }

    private static async Task<Ok<ConnectionDto[]>> ListAsync(ClaimsPrincipal user, ConnectionService connections, CancellationToken ct) =>
        TypedResults.Ok((await connections.ListAsync(user.UserId(), ct)).Select(ConnectionDto.From).ToArray());

    private static async Task<Results<Ok<ConnectionDto>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, ConnectionService connections, CancellationToken ct) =>
        await connections.FindAsync(user.UserId(), id, ct) is { } c ? TypedResults.Ok(ConnectionDto.From(c)) : TypedResults.NotFound();

    private static async Task<Results<Accepted, NotFound, ProblemHttpResult>> SyncAsync(Guid id, ClaimsPrincipal user, ConnectionService connections, CancellationToken ct) =>
        await connections.RequestSyncAsync(user.UserId(), id, ct) switch
        {
            null => TypedResults.NotFound(),
            false => TypedResults.Problem(
                title: "The connection needs a new token",
                detail: "The service rejected the stored token; add the connection again with a new token, then sync.",
                statusCode: StatusCodes.Status409Conflict),
            true => TypedResults.Accepted($"/api/connections/{id}"),
        };

    private static async Task<Results<NoContent, NotFound>> RemoveAsync(Guid id, ClaimsPrincipal user, ConnectionService connections, CancellationToken ct) =>
        await connections.RemoveAsync(user.UserId(), id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
}
