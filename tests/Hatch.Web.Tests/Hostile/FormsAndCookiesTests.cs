using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Hatch.Data;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// Every form the app accepts (each Razor page POST handler, and every API endpoint that takes a form) refuses a
/// cookie-authenticated post without the anti-forgery token; and the sign-in and anti-forgery cookies are Secure,
/// HttpOnly and SameSite when the site is served over HTTPS.
/// </summary>
public sealed partial class FormsAndCookiesTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    /// <summary>Every form target: "/path?handler=X" for pages, the route for API form endpoints; route values filled in.</summary>
    private IReadOnlyList<string> FormTargets()
    {
        _ = factory.Server;
        var targets = new List<string>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            if (endpoint is not RouteEndpoint route) continue;
            var path = "/" + Fill(route.RoutePattern.RawText ?? "").TrimStart('/');
            if (endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>() is { } page)
            {
                foreach (var handler in page.HandlerMethods.Where(h => h.HttpMethod.Equals("POST", StringComparison.OrdinalIgnoreCase)))
                    targets.Add(handler.Name is { } name ? $"{path}?handler={name}" : path);
            }
            else if (endpoint.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(a => a.ContentTypes)
                     .Any(t => t.StartsWith("multipart/form-data") || t.StartsWith("application/x-www-form-urlencoded")))
            {
                targets.Add(path);
            }
        }
        return targets.Distinct().Order().ToArray();
    }

    private static string Fill(string template) => RouteValue().Replace(template, match => match.Groups[1].Value switch
    {
        var c when c.Contains("guid") => Guid.NewGuid().ToString(),
        var c when c.Contains("int") => "1",
        _ => "x",
    });

    [GeneratedRegex(@"\{[^}:]+(:[^}]+)?\}")]
    private static partial Regex RouteValue();

    [Fact]
    public async Task EveryFormRefusesACookiePostWithoutTheAntiforgeryToken()
    {
        // An editor and admin, so that no page turns the post away for its role before the token is checked.
        var user = await factory.UserAsync(HatchUser.Roles.Editor, HatchUser.Roles.Admin);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = user.Email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();

        var targets = FormTargets();
        Assert.Contains("/api/highlights/import", targets);
        Assert.Contains(targets, t => t.StartsWith("/Account/Login"));
        Assert.True(targets.Count >= 15, $"only {targets.Count} forms found: {string.Join(", ", targets)}");

        var accepted = new List<string>();
        // The one-click unsubscribe (RFC 8058) is posted by a mail client with no session and no form token: its signed
        // token is its only credential, so without a valid one it answers 404 (DigestEmailTests checks it does).
        foreach (var target in targets.Where(t => !t.StartsWith("/Digests/Unsubscribe", StringComparison.Ordinal)))
        {
            using var form = new MultipartFormDataContent { { new StringContent("x"), "field" }, { new StringContent("# B\n\n- a passage\n"), "file", "x.md" } };
            var response = await client.PostAsync(target, form);
            if (response.StatusCode != HttpStatusCode.BadRequest)
                accepted.Add($"{target}: {(int)response.StatusCode}");
        }
        Assert.True(accepted.Count == 0, "Forms that took a post without the anti-forgery token:\n" + string.Join("\n", accepted));
    }

    private static IReadOnlyDictionary<string, string> CookieAttributes(HttpResponseMessage response, string namePrefix)
    {
        var header = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith(namePrefix, StringComparison.Ordinal)) : null;
        Assert.True(header is not null, $"no {namePrefix} cookie set; Set-Cookie: {string.Join(" | ", values ?? [])}");
        return header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0].ToLowerInvariant(), p => p.Length > 1 ? p[1].ToLowerInvariant() : "");
    }

    [Fact]
    public async Task OverHttpsTheSignInAndAntiforgeryCookiesAreSecureHttpOnlyAndSameSite()
    {
        var (_, email) = await factory.NewUserAsync();
        var https = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false });

        var signIn = CookieAttributes(await https.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password }), "hatch.auth=");
        Assert.True(signIn.ContainsKey("secure"), "the sign-in cookie is not Secure");
        Assert.True(signIn.ContainsKey("httponly"), "the sign-in cookie is readable by scripts");
        Assert.Equal("lax", signIn["samesite"]);

        var antiforgery = CookieAttributes(await https.GetAsync("/Account/Login"), ".AspNetCore.Antiforgery.");
        Assert.True(antiforgery.ContainsKey("secure"), "the anti-forgery cookie is not Secure");
        Assert.True(antiforgery.ContainsKey("httponly"), "the anti-forgery cookie is readable by scripts");
        Assert.Equal("strict", antiforgery["samesite"]);
    }

    [Fact]
    public async Task OverPlainHttpInDevelopmentTheCookiesStillWorkButAreNotMarkedSecure()
    {
        var (_, email) = await factory.NewUserAsync();
        var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var signIn = CookieAttributes(await http.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password }), "hatch.auth=");
        Assert.False(signIn.ContainsKey("secure"));
        Assert.True(signIn.ContainsKey("httponly"));
    }
}
