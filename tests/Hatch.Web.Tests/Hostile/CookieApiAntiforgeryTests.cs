using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Hatch.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// Every API call that changes something (POST, PUT, PATCH, DELETE), signed in by the cookie, is refused without the
/// anti-forgery token in the RequestVerificationToken header; with it, or with a bearer token, it goes through.
/// </summary>
public sealed partial class CookieApiAntiforgeryTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private static readonly string[] Unsafe = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>"METHOD /api/path" for every unsafe API endpoint that needs a session, route values filled in.</summary>
    private IReadOnlyList<(string Method, string Path)> UnsafeApiCalls()
    {
        _ = factory.Server;
        var calls = new List<(string, string)>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + Fill(endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Intersect(Unsafe) ?? [])
                calls.Add((method, path));
        }
        return calls.Distinct().Order().ToArray();
    }

    private static string Fill(string template) => RouteValue().Replace(template, match => match.Groups[1].Value switch
    {
        var c when c.Contains("guid") => Guid.NewGuid().ToString(),
        var c when c.Contains("int") => "1",
        _ => "x",
    });

    [GeneratedRegex(@"\{[^}:]+(:[^}]+)?\}")]
    private static partial Regex RouteValue();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    private async Task<(HttpClient Cookie, TestUser User)> CookieSignedInAsync()
    {
        var user = await factory.UserAsync(HatchUser.Roles.Editor, HatchUser.Roles.Admin);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = user.Email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        return (client, user);
    }

    [Fact]
    public async Task EveryUnsafeApiCallSignedInByTheCookieIsRefusedWithoutTheToken()
    {
        var (cookie, _) = await CookieSignedInAsync();
        var calls = UnsafeApiCalls();
        Assert.Contains(calls, c => c.Path.EndsWith("/approve", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.EndsWith("/publish", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Method == "DELETE");
        Assert.True(calls.Count >= 15, $"only {calls.Count} unsafe API calls found: {string.Join(", ", calls)}");

        var accepted = new List<string>();
        foreach (var (method, path) in calls)
        {
            var response = await cookie.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest || !body.Contains("Anti-forgery token missing or invalid"))
                accepted.Add($"{method} {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 120)]}");
        }
        Assert.True(accepted.Count == 0, "Cookie-signed API calls that went past the anti-forgery check without a token:\n" + string.Join("\n", accepted));
    }

    [Fact]
    public async Task WithTheTokenInTheHeaderOrABearerTokenTheSameCallGoesThrough()
    {
        var (cookie, user) = await CookieSignedInAsync();
        var highlight = new[] { new { text = "Attention is the scarcest resource.", source = "Deep Work" } };

        var without = await cookie.PostAsJsonAsync("/api/highlights", highlight);
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);

        var token = FormToken().Match(await cookie.GetStringAsync("/Highlights")).Groups[1].Value;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/highlights") { Content = JsonContent.Create(highlight) };
        request.Headers.Add("RequestVerificationToken", token);
        var with = await cookie.SendAsync(request);
        Assert.True(with.IsSuccessStatusCode, $"{(int)with.StatusCode} {await with.Content.ReadAsStringAsync()}");

        // Bearer clients carry no cookie a hostile page could ride on, and need no token.
        var bearer = await user.Client.PostAsJsonAsync("/api/highlights", new[] { new { text = "Deliberate practice needs feedback.", source = "Peak" } });
        Assert.True(bearer.IsSuccessStatusCode, $"{(int)bearer.StatusCode}");
    }
}
