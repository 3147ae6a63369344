using System.Net;
using System.Text;
using System.Text.Json;

namespace Hatch.Web.Tests;

/// <summary>
/// An upload names its format the way `hatch import --format` does: the API's multipart field <c>format</c> and the
/// import page's Format list. A refusal says how to choose in the place it is read, never "--format".
/// </summary>
public abstract partial class WebAppTests
{
    /// <summary>A how-to document: mostly paragraphs, with one quote that an explicit "markdown" reads as a highlight.</summary>
    private const string ShedGuide = """
        # Setting up the garden shed

        This guide explains how we organise the tools in the shed every spring, and why the order matters to everyone.

        Start by taking everything out and sweeping the floor. Then hang the long-handled tools on the back wall.

        > Keep the sharp tools out of reach of children.

        The seed trays go on the upper shelf, labelled by month, so that nothing is sown late in the season.

        After that, check the watering cans for leaks and put the broken ones aside for the recycling collection.

        Finally, oil the hinges, sweep once more and lock the door behind you when the work is done.
        """;

    private static MultipartFormDataContent Upload(string? format, string content = ShedGuide)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", "shed.md" } };
        if (format is not null) form.Add(new StringContent(format), "format");
        return form;
    }

    [Fact]
    public async Task TheImportApiTakesAFormatFieldAndItsRefusalSaysToSetIt()
    {
        var (client, _) = await factory.NewUserAsync();

        var refused = await client.PostAsync("/api/highlights/import", Upload(format: null));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("shed.md: this reads as a Markdown document", detail);
        Assert.Contains("set the format field to markdown", detail);
        Assert.DoesNotContain("--format", detail);

        var read = await client.PostAsync("/api/highlights/import", Upload("markdown"));
        var body = await read.Content.ReadAsStringAsync();
        Assert.True(read.StatusCode == HttpStatusCode.OK, body);
        var report = JsonDocument.Parse(body).RootElement;
        Assert.Equal("markdown", report.GetProperty("format").GetString());
        Assert.Equal(1, report.GetProperty("imported").GetInt32());
        var library = JsonDocument.Parse(await client.GetStringAsync("/api/highlights")).RootElement;
        Assert.Equal("Keep the sharp tools out of reach of children.", Assert.Single(library.GetProperty("items").EnumerateArray()).GetProperty("text").GetString());

        var unknown = await client.PostAsync("/api/highlights/import", Upload("pdf"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("format: 'pdf' is not a format Hatch reads; set the format field to one of auto, kindle, readwise, glasp, hypothesis, json, markdown",
            JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());

        // A file of no known format lists the choices by the field's name too.
        var shapeless = await client.PostAsync("/api/highlights/import", Upload(null, "just some words\nwith no structure\n"));
        Assert.Contains("cannot tell the format of this file; set the format field to one of kindle, readwise, glasp, hypothesis, json, markdown",
            JsonDocument.Parse(await shapeless.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheImportsFormatField()
    {
        var document = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        var operation = JsonDocument.Parse(document).RootElement.GetProperty("paths").GetProperty("/api/highlights/import").GetProperty("post");
        var schema = operation.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
            schema = JsonDocument.Parse(document).RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        var properties = schema.GetProperty("properties");
        Assert.True(properties.TryGetProperty("file", out _), schema.ToString());
        Assert.Contains("markdown", properties.GetProperty("format").GetProperty("description").GetString());
        Assert.Contains("format", operation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task TheImportPageHasAFormatListAndItsRefusalPointsToIt()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = $"f{Guid.NewGuid():N}@example.com";
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Form.Email"] = email, ["Form.Password"] = HatchAppFactory.Password, ["Form.ConfirmPassword"] = HatchAppFactory.Password,
            ["__RequestVerificationToken"] = await TokenAsync(client, "/Account/Register"),
        }))).StatusCode);

        var empty = await client.GetStringAsync("/Highlights");
        Assert.Contains("<label for=\"format\">Format</label>", empty);
        foreach (var format in new[] { "auto", "kindle", "readwise", "glasp", "hypothesis", "json", "markdown" })
            Assert.Contains($"<option value=\"{format}\"", empty);

        async Task<string> ImportAsync(string? format)
        {
            var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(Encoding.UTF8.GetBytes(ShedGuide)), "upload", "shed.md" },
                { new StringContent(await TokenAsync(client, "/Highlights")), "__RequestVerificationToken" },
            };
            if (format is not null) form.Add(new StringContent(format), "format");
            var response = await client.PostAsync("/Highlights?handler=Import", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        }

        var refused = await ImportAsync("auto");
        Assert.Contains("shed.md: this reads as a Markdown document", refused);
        Assert.Contains("choose Markdown in the Format list", refused);
        Assert.DoesNotContain("--format", refused);

        var read = await ImportAsync("markdown");
        Assert.Contains("<strong>1</strong> imported", read);
        Assert.Contains("<option value=\"markdown\" selected=\"selected\">", read);
        Assert.Contains("Keep the sharp tools out of reach of children.", WebUtility.HtmlDecode(await client.GetStringAsync("/Highlights")));
    }
}
