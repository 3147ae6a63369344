using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hatch.Web.Tests.Hostile;

/// <summary>
/// Nobody can learn whether an address has an account: registering a taken address and a new one, and signing in as
/// an unknown, a wrong-password, a locked or an unconfirmed account, give the same answers.
/// </summary>
public static partial class AnswerOf
{
    /// <summary>Status and body, with what differs by request alone (trace id, the address itself, the form token) taken out.</summary>
    public static async Task<string> ReadAsync(HttpResponseMessage response, string email)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json") == true && JsonNode.Parse(body) is JsonObject json)
        {
            json.Remove("traceId");
            body = json.ToJsonString();
        }
        body = body.Replace(email, "EMAIL");
        body = Token().Replace(body, "TOKEN");
        return $"{(int)response.StatusCode} {body}";
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"")]
    private static partial Regex Token();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex FormToken();

    public static string NewAddress() => $"e{Guid.NewGuid():N}@example.com";
}

public sealed class AccountEnumerationTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task RegisteringATakenAddressOverTheApiAnswersExactlyAsANewOne()
    {
        var (_, taken) = await factory.NewUserAsync();
        var fresh = AnswerOf.NewAddress();
        var client = factory.CreateClient();

        var forTaken = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = taken, password = "Other-Passw0rd!" }), taken);
        var forNew = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = fresh, password = "Other-Passw0rd!" }), fresh);

        Assert.Equal(forNew, forTaken);
        Assert.StartsWith("200", forNew);
        // A weak password is still refused, the same way for both.
        var weakTaken = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = taken, password = "short" }), taken);
        var weakFresh = AnswerOf.NewAddress();
        var weakNew = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = weakFresh, password = "short" }), weakFresh);
        Assert.StartsWith("400", weakTaken);
        Assert.Equal(weakNew, weakTaken);
    }

    [Fact]
    public async Task SigningInAsAnUnknownAWrongPasswordOrALockedAccountGetsOneAnswerOnTheApiAndThePage()
    {
        var (_, locked) = await factory.NewUserAsync();
        var (_, known) = await factory.NewUserAsync();
        var unknown = AnswerOf.NewAddress();
        var client = factory.CreateClient();
        for (var i = 0; i < 10; i++) await client.PostAsJsonAsync("/api/auth/login", new { email = locked, password = "Wrong-Passw0rd!" });

        async Task<string> ApiAsync(string email, string password) =>
            await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/login", new { email, password }), email);
        var answers = new[]
        {
            await ApiAsync(unknown, HatchAppFactory.Password),
            await ApiAsync(known, "Wrong-Passw0rd!"),
            await ApiAsync(locked, "Wrong-Passw0rd!"),
            await ApiAsync(locked, HatchAppFactory.Password),
        };
        Assert.StartsWith("401", answers[0]);
        Assert.All(answers, a => Assert.Equal(answers[0], a));

        async Task<string> PageAsync(string email, string password)
        {
            var token = AnswerOf.FormToken().Match(await client.GetStringAsync("/Account/Login")).Groups[1].Value;
            var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(
                [new("Form.Email", email), new("Form.Password", password), new("__RequestVerificationToken", token)]));
            return await AnswerOf.ReadAsync(response, email);
        }
        var pages = new[] { await PageAsync(unknown, HatchAppFactory.Password), await PageAsync(known, "Wrong-Passw0rd!"), await PageAsync(locked, HatchAppFactory.Password) };
        Assert.Contains("do not match an account", WebUtility.HtmlDecode(pages[0]));
        Assert.All(pages, p => Assert.Equal(pages[0], p));
    }
}

/// <summary>Where mail is sent, the register page and API answer a taken address as a new one, and an unconfirmed account signs in as an unknown one.</summary>
public sealed class AccountEnumerationWithMailTests(MailingAppFactory factory) : IClassFixture<MailingAppFactory>
{
    private async Task<string> RegisterOnThePageAsync(HttpClient client, string email)
    {
        var token = AnswerOf.FormToken().Match(await client.GetStringAsync("/Account/Register")).Groups[1].Value;
        var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(
        [
            new("Form.Email", email), new("Form.Password", "Other-Passw0rd!"), new("Form.ConfirmPassword", "Other-Passw0rd!"),
            new("__RequestVerificationToken", token),
        ]));
        return await AnswerOf.ReadAsync(response, email);
    }

    [Fact]
    public async Task TheRegisterPageAndApiAnswerATakenAddressAsANewOne()
    {
        var client = factory.CreateClient();
        var taken = AnswerOf.NewAddress();
        (await client.PostAsJsonAsync("/api/auth/register", new { email = taken, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();

        var pageTaken = await RegisterOnThePageAsync(client, taken);
        var pageNew = await RegisterOnThePageAsync(client, AnswerOf.NewAddress());
        Assert.Contains("Check your mail", pageTaken);
        Assert.Equal(pageNew, pageTaken);

        var fresh = AnswerOf.NewAddress();
        var apiTaken = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = taken, password = "Other-Passw0rd!" }), taken);
        var apiNew = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/register", new { email = fresh, password = "Other-Passw0rd!" }), fresh);
        Assert.Equal(apiNew, apiTaken);

        // The unconfirmed account, even with a wrong password, signs in as an unknown address would.
        var unconfirmed = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/login", new { email = taken, password = "Wrong-Passw0rd!" }), taken);
        var unknownAddress = AnswerOf.NewAddress();
        var unknown = await AnswerOf.ReadAsync(await client.PostAsJsonAsync("/api/auth/login", new { email = unknownAddress, password = "Wrong-Passw0rd!" }), unknownAddress);
        Assert.Equal(unknown, unconfirmed);
    }
}
