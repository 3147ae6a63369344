using System.Security.Claims;
using System.Text.Json;
using Hatch.Domain.Digests;
using Hatch.Features.Digests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hatch.Web.Api;

/// <summary>/api/digest-settings and /api/digests: a reader's scheduled digests.</summary>
public static class DigestsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapDigestsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/digest-settings")
            .WithTags("Digests")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();
        settings.MapGet("/", GetSettingsAsync).WithSummary("The reader's digest settings (the defaults, off, if never saved).");
        settings.MapPut("/", PutSettingsAsync)
            .Accepts<DigestSettings>("application/json")
            .WithSummary("Saves the digest settings and reschedules the next run; problems come back per field as a ValidationProblem.");
        settings.MapPost("/feed-token", RegenerateFeedTokenAsync)
            .WithSummary("A new secret address for the reader's private Atom feed of digests; the previous address stops working.");

        app.MapGroup("/api/digests")
            .WithTags("Digests")
            .RequireAuthorization()
            .MapGet("/", ListAsync)
            .WithSummary("The reader's digests, newest first: period, status (Queued, Running, Succeeded, Failed, Skipped), skip reason or error, draft.");
        return app;
    }

    private static async Task<Ok<DigestSettings>> GetSettingsAsync(ClaimsPrincipal user, DigestSettingsStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.GetAsync(user.UserId(), ct)).Settings);

    /// <summary>
    /// Reads the body itself so a value of the wrong shape ("localTime": "9 am", "cadence": "hourly") is answered as a
    /// ValidationProblem naming its field, like every other settings problem, rather than a bare 400.
    /// </summary>
    private static async Task<Results<Ok<DigestSettings>, ValidationProblem>> PutSettingsAsync(
        HttpRequest request, ClaimsPrincipal user, DigestSettingsStore store, CancellationToken ct)
    {
        DigestSettings? settings;
        try
        {
            settings = await JsonSerializer.DeserializeAsync<DigestSettings>(request.Body, Json, ct);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [field] = [ex.InnerException is JsonException or null ? ShapeMessage(field, ex) : ex.InnerException.Message],
            });
        }
        if (settings is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object with the digest settings"] });
        // "style": null (or "language": null) asks for the default, as leaving the property out does.
        var defaults = new DigestSettings();
        settings = settings with { Style = settings.Style ?? defaults.Style, Language = settings.Language ?? defaults.Language };

        var (saved, errors) = await store.SaveAsync(user.UserId(), settings, ct);
        return saved is null ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(saved.Settings);
    }

    /// <summary>The new private feed address, shown once (only the token's hash is stored).</summary>
    public sealed record FeedAddress(string Url);

    private static async Task<Ok<FeedAddress>> RegenerateFeedTokenAsync(HttpRequest request, ClaimsPrincipal user, DigestSettingsStore store, CancellationToken ct)
    {
        var token = await store.RegenerateFeedTokenAsync(user.UserId(), ct);
        return TypedResults.Ok(new FeedAddress($"{request.Scheme}://{request.Host}{DigestSettingsStore.FeedPathFor(token)}"));
    }

    private static async Task<Ok<IReadOnlyList<DigestRow>>> ListAsync(ClaimsPrincipal user, DigestSettingsStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.HistoryAsync(user.UserId(), cancellationToken: ct));

    /// <summary>"$.localTime" → "localTime"; the whole body when the path is the root.</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..].Split('.', '[')[0] : path;

    private static string ShapeMessage(string field, JsonException ex) => field switch
    {
        "localTime" => "must be a time of day in the form HH:mm, such as \"09:00\"",
        "cadence" => "must be daily, weekly or cron",
        "dayOfWeek" => "must be a day of the week, such as Monday",
        "delivery" => "must be app, email or both",
        "body" => "must be a JSON object with the digest settings",
        _ => $"has the wrong type ({ex.Message.Split(" Path:", 2)[0]})",
    };
}
