using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hatch.TestSupport;
using Hatch.Writing.Importing;
using Microsoft.AspNetCore.Hosting;

namespace Hatch.Web.Tests.Hostile;

/// <summary>SQLite with limits small enough to reach in a test.</summary>
public sealed class SmallLimitsAppFactory : SqliteAppFactory
{
    public const int MaxHighlightsPerImport = 5;
    public const int MaxHighlightLength = 200;
    public const int MaxHatchSelection = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Limits:MaxHighlightsPerImport", MaxHighlightsPerImport.ToString());
        builder.UseSetting("Hatch:Limits:MaxHighlightLength", MaxHighlightLength.ToString());
        builder.UseSetting("Hatch:Limits:MaxHatchSelection", MaxHatchSelection.ToString());
    }
}

/// <summary>
/// Every limit of Hatch:Limits (and the upload size) answers with a status a client can act on (413 for bytes, 400 for
/// counts and lengths) and a ProblemDetails that names the field or line and the option that sets the limit.
/// </summary>
public sealed class LimitsTests(SmallLimitsAppFactory factory) : IClassFixture<SmallLimitsAppFactory>
{
    private static string Markdown(int count, int longAt = -1) =>
        "# A book\n\n" + string.Concat(Enumerable.Range(1, count).Select(i =>
            $"- {(i == longAt ? "A very long passage " + new string('x', SmallLimitsAppFactory.MaxHighlightLength) : $"Passage number {i} about practice.")}\n"));

    private static MultipartFormDataContent Upload(string content, string name = "mine.md") =>
        new() { { new StringContent(content, Encoding.UTF8), "file", name } };

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text); // never a stack trace
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task AFileWithMoreHighlightsThanTheLimitIs400NamingTheLimit()
    {
        var (client, _) = await factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/highlights/import", Upload(Markdown(SmallLimitsAppFactory.MaxHighlightsPerImport)))).StatusCode);

        var problem = await ProblemAsync(await client.PostAsync("/api/highlights/import", Upload(Markdown(SmallLimitsAppFactory.MaxHighlightsPerImport + 1), "big.md")), HttpStatusCode.BadRequest);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("big.md", detail);
        Assert.Contains("6 highlights", detail);
        Assert.Contains("at most 5", detail);
        Assert.Equal("Hatch:Limits:MaxHighlightsPerImport", problem.GetProperty("limit").GetString());
    }

    [Fact]
    public async Task AFileWithAHighlightOverTheLengthLimitIs400NamingItsLine()
    {
        var (client, _) = await factory.NewUserAsync();
        var problem = await ProblemAsync(await client.PostAsync("/api/highlights/import", Upload(Markdown(3, longAt: 2), "long.md")), HttpStatusCode.BadRequest);

        Assert.Equal("Hatch:Limits:MaxHighlightLength", problem.GetProperty("limit").GetString());
        var rejected = Assert.Single(problem.GetProperty("rejected").EnumerateArray());
        Assert.Equal(4, rejected.GetProperty("line").GetInt32()); // "# A book", "", then the second bullet
        Assert.Contains("the limit is 200", rejected.GetProperty("reason").GetString());
        Assert.Contains("long.md:4", problem.GetProperty("detail").GetString());
        // Nothing of a refused file is stored.
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AJsonBatchOverTheCountOrLengthLimitIs400NamingTheField()
    {
        var (client, _) = await factory.NewUserAsync();
        var tooMany = Enumerable.Range(1, SmallLimitsAppFactory.MaxHighlightsPerImport + 1).Select(i => new { text = $"Passage {i}", source = "Peak" });
        var many = await ProblemAsync(await client.PostAsJsonAsync("/api/highlights", tooMany), HttpStatusCode.BadRequest);
        Assert.Contains("MaxHighlightsPerImport", many.GetProperty("errors").GetProperty("highlights")[0].GetString());

        var tooLong = new[] { new { text = "Fine.", note = (string?)null }, new { text = "Fine too.", note = (string?)new string('n', 201) } };
        var longOne = await ProblemAsync(await client.PostAsJsonAsync("/api/highlights", tooLong), HttpStatusCode.BadRequest);
        var message = longOne.GetProperty("errors").GetProperty("[1].note")[0].GetString()!;
        Assert.Contains("Highlight 2", message);
        Assert.Contains("Hatch:Limits:MaxHighlightLength", message);
    }

    [Fact]
    public async Task AHatchNamingMoreHighlightsThanTheLimitIs400NamingHighlightIds()
    {
        var (client, _) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Enumerable.Range(1, 4).Select(i => new { text = $"Passage {i} on practice.", source = "Peak" }))).EnsureSuccessStatusCode();
        var ids = (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetGuid()).ToArray();

        var problem = await ProblemAsync(await client.PostAsJsonAsync("/api/hatches", new { highlightIds = ids }), HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("highlightIds")[0].GetString()!;
        Assert.Contains("4 highlights", message);
        Assert.Contains("Hatch:Limits:MaxHatchSelection", message);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/hatches", new { highlightIds = ids[..3] })).StatusCode);
    }

    [Fact]
    public async Task EveryFieldOfAHighlightHasALimitAndTheApiAndAFileNameTheFieldOverIt()
    {
        var (client, _) = await factory.NewUserAsync();
        var batch = new object[]
        {
            new { text = "Fine.", source = new string('s', HatchLimits.MaxSourceLength + 1) },
            new { text = "Fine.", source = "Peak", author = new string('a', HatchLimits.MaxAuthorLength + 1) },
            new { text = "Fine.", source = "Peak", url = "https://example.com/" + new string('u', HatchLimits.MaxUrlLength) },
            new { text = "Fine.", source = "Peak", tags = Enumerable.Range(1, HatchLimits.MaxTags + 1).Select(i => $"t{i}").ToArray() },
            new { text = "Fine.", source = "Peak", tags = new[] { new string('t', HatchLimits.MaxTagLength + 1) } },
        }; // five: this app takes at most five highlights a batch
        var problem = await ProblemAsync(await client.PostAsJsonAsync("/api/highlights", batch), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["[0].source", "[1].author", "[2].url", "[3].tags", "[4].tags"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("the limit is 1,000", errors.GetProperty("[0].source")[0].GetString());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/highlights")).GetProperty("items").GetArrayLength());

        // A file: refused as a whole, naming the field and the line.
        var json = "[\n{\"text\": \"Fine.\", \"source\": \"Peak\"},\n{\"text\": \"Also fine.\", \"source\": {\"title\": \"Peak\", \"author\": \"" + new string('a', HatchLimits.MaxAuthorLength + 1) + "\"}}\n]";
        var refused = await ProblemAsync(await client.PostAsync("/api/highlights/import", Upload(json, "library.json")), HttpStatusCode.BadRequest);
        var detail = refused.GetProperty("detail").GetString()!;
        Assert.Contains("library.json:3: highlight 2: author is 501 characters long", detail); // file, line, highlight, field
    }

    [Fact]
    public async Task AnUploadOverTheByteLimitIs413NamingTheFieldAndTheOption()
    {
        var (client, _) = await factory.NewUserAsync();
        var content = new string('a', (int)HatchAppFactory.MaxUploadBytes + 10);
        var problem = await ProblemAsync(await client.PostAsync("/api/highlights/import", Upload(content, "huge.md")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("file", problem.GetProperty("field").GetString());
        Assert.Equal("Hatch:Web:MaxUploadBytes", problem.GetProperty("limit").GetString());
    }

    [Fact]
    public async Task TheImportFormShowsALimitAsAMessageNotAStackTrace()
    {
        var (_, email) = await factory.NewUserAsync();
        var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email, password = HatchAppFactory.Password })).EnsureSuccessStatusCode();
        var token = AntiforgeryForm.Token(await client.GetStringAsync("/Highlights"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Markdown(3, longAt: 3)), "upload", "long.md" },
            { new StringContent(token), "__RequestVerificationToken" },
        };
        var response = await client.PostAsync("/Highlights?handler=Import", form);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("longer than 200 characters (Hatch:Limits:MaxHighlightLength)", WebUtility.HtmlDecode(html));
        Assert.Contains("long.md:5", WebUtility.HtmlDecode(html));
        Assert.DoesNotContain("Exception", html);
    }
}
