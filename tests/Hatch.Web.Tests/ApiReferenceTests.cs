using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hatch.Web.OpenApi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>
/// The API reference: the OpenAPI document describes every operation well enough to call it (a summary, the errors
/// it answers as ProblemDetails, an example where the body is not obvious, the bearer scheme), and /scalar serves the
/// interactive reference built from it to anyone, with nothing loaded from elsewhere.
/// </summary>
public sealed partial class ApiReferenceTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private static readonly HashSet<string> ProblemSchemas = ["#/components/schemas/ProblemDetails", "#/components/schemas/HttpValidationProblemDetails"];

    private async Task<JsonElement> DocumentAsync() =>
        await factory.CreateClient().GetFromJsonAsync<JsonElement>(ApiReference.DocumentPath);

    private static IEnumerable<(string Key, string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Select(op => ($"{op.Name.ToUpperInvariant()} {path.Name}", path.Name, op.Name.ToUpperInvariant(), op.Value)));

    [Fact]
    public async Task EveryOperationHasASummaryItsErrorsAsProblemDetailsAndExamplesWhereTheBodyIsNotObvious()
    {
        var document = await DocumentAsync();
        var failures = new List<string>();
        foreach (var (key, path, method, operation) in Operations(document))
        {
            void Fail(string what) => failures.Add($"{key}: {what}");
            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
                Fail("no summary");
            var responses = operation.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            if (!responses.Keys.Any(s => s.StartsWith('2')))
                Fail("no success response");
            if (!path.StartsWith("/api/", StringComparison.Ordinal)) continue;

            var errors = responses.Where(r => r.Key[0] is '4' or '5').ToArray();
            if (errors.Length == 0) Fail("no error responses");
            foreach (var (status, response) in errors)
            {
                var schema = response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out var media)
                    && media.TryGetProperty("schema", out var s) && s.TryGetProperty("$ref", out var r) ? r.GetString() : null;
                if (schema is null || !ProblemSchemas.Contains(schema))
                    Fail($"{status} is not described as ProblemDetails (application/problem+json)");
            }
            var signedIn = operation.TryGetProperty("security", out var security)
                && security.EnumerateArray().Any(requirement => requirement.TryGetProperty("Bearer", out _));
            if (signedIn && !responses.ContainsKey("401")) Fail("needs the bearer token but does not say 401");
            if (!signedIn && !IsOpenAccountEndpoint(path)) Fail("does not declare the Bearer security scheme");
            if (path.Contains('{') && !responses.ContainsKey("404")) Fail("takes an id in the path but does not say 404");

            if (operation.TryGetProperty("requestBody", out var body))
            {
                if (!responses.ContainsKey("400")) Fail("takes a body but does not say 400");
                if (body.GetProperty("content").TryGetProperty("application/json", out var json))
                    CheckExample(document, json, "request", Fail);
            }
            if (method is "POST" or "PUT")
                foreach (var (status, response) in responses.Where(r => r.Key[0] == '2'))
                    if (response.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json))
                        CheckExample(document, json, $"{status} response", Fail);
        }
        Assert.True(failures.Count == 0, "Operations the reference does not describe well enough:\n" + string.Join("\n", failures));
    }

    /// <summary>Identity's endpoints for signing up and in are open by nature; /api/auth/manage/* needs the token.</summary>
    private static bool IsOpenAccountEndpoint(string path) =>
        path.StartsWith("/api/auth/", StringComparison.Ordinal) && !path.StartsWith("/api/auth/manage/", StringComparison.Ordinal);

    /// <summary>An example must be there, and name only properties the schema has (so a renamed field fails here, not in a reader's hands).</summary>
    private static void CheckExample(JsonElement document, JsonElement media, string what, Action<string> fail)
    {
        if (!media.TryGetProperty("example", out var example))
        {
            fail($"no example {what}");
            return;
        }
        if (!media.TryGetProperty("schema", out var schema)) return;
        var (properties, sample) = (Resolve(document, schema), example);
        if (properties.TryGetProperty("items", out var items) && sample.ValueKind == JsonValueKind.Array)
            (properties, sample) = (Resolve(document, items), sample.EnumerateArray().FirstOrDefault());
        if (sample.ValueKind != JsonValueKind.Object || !properties.TryGetProperty("properties", out var known)) return;
        foreach (var property in sample.EnumerateObject())
            if (!known.TryGetProperty(property.Name, out _))
                fail($"the example {what} has '{property.Name}', which the schema does not");
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

    [Fact]
    public async Task EveryExampleBelongsToAnOperationOfTheDocument()
    {
        var operations = Operations(await DocumentAsync()).Select(o => o.Key).ToHashSet();
        var stale = ExamplesTransformer.Examples.Keys.Where(k => !operations.Contains(k)).ToArray();
        Assert.True(stale.Length == 0, "Examples for operations the document does not have:\n" + string.Join("\n", stale));
    }

    [Fact]
    public async Task ATokenFromLoginIsWhatTheBearerSchemeTakesAndWithoutItTheApiAnswers401AsProblemDetails()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        // What "try it" does: the token pasted into the Bearer scheme goes out as 'Authorization: Bearer TOKEN'.
        var anonymous = await factory.CreateClient().GetAsync("/api/highlights");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        var (signedIn, _) = await factory.NewUserAsync();
        var token = signedIn.DefaultRequestHeaders.Authorization!.Parameter!;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/highlights");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task TheReferenceIsServedToAnyoneAndRunsOnlyItsOwnScripts()
    {
        var client = factory.CreateClient();
        var page = await client.GetAsync(ApiReference.ReferencePath + "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>Hatch API</title>", html);
        Assert.Contains("openapi/v1.json", html);
        Assert.DoesNotContain("https://", html);

        // The page boots with an inline script: the policy admits it by this response's nonce and nothing else inline.
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = Nonce().Match(policy).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.DoesNotContain("unsafe-inline", policy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)));
        Assert.All(ScriptTags().Matches(html), tag => Assert.Contains($"nonce=\"{nonce}\"", tag.Value));
        var again = (await client.GetAsync(ApiReference.ReferencePath + "/")).Headers.GetValues("Content-Security-Policy").Single();
        Assert.NotEqual(nonce, Nonce().Match(again).Groups[1].Value);

        var script = await client.GetAsync(ApiReference.ReferencePath + "/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000, "the reference's script ships with the app");
    }

    /// <summary>
    /// Open by explicit metadata rather than by the absence of a rule, so a fallback policy that requires sign-in
    /// for everything else leaves the document and the reference readable.
    /// </summary>
    [Fact]
    public void TheDocumentAndEveryPartOfTheReferenceAreMarkedOpenToAnyone()
    {
        _ = factory.Server;
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("scalar", StringComparison.Ordinal)
                        || e.RoutePattern.RawText!.TrimStart('/').StartsWith("openapi", StringComparison.Ordinal))
            .ToArray();
        Assert.True(endpoints.Length >= 2, "the document and the reference are mapped");
        Assert.All(endpoints, e => Assert.True(e.Metadata.GetMetadata<IAllowAnonymous>() is not null, $"{e.RoutePattern.RawText} is not marked AllowAnonymous"));
    }

    [Fact]
    public async Task TheFooterLinksToTheReference()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html");
        var html = await (await factory.CreateClient().SendAsync(request)).Content.ReadAsStringAsync();
        var footer = html[html.IndexOf("<footer", StringComparison.Ordinal)..];
        Assert.Contains($"href=\"{ApiReference.ReferencePath}\"", footer);
    }

    [GeneratedRegex("script-src[^;]*'nonce-([^']+)'")]
    private static partial Regex Nonce();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTags();
}
