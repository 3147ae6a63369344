using System.IO.Compression;
using System.Net;
using System.Text;
using Hatch.Domain.Drafts;

namespace Hatch.Web.Tests;

/// <summary>The library and a draft leave Hatch as Markdown a vault can take: front matter, quotes, stable names.</summary>
public sealed class ExportTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    private const string Csv =
        "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at\n" +
        "\"Salt gets into the ledgers.\",\"The Harbour Book: \"\"Tides\"\"\",Ines Duarte,,why it matters,,deep work,page,12,2020-11-26 03:28:15\n" +
        "\"---\ntitle: injected\",\"The Harbour Book: \"\"Tides\"\"\",Ines Duarte,,,,,location,40,2020-11-26 03:29:00\n" +
        "\"Every wall remembers a storm.\",Another Book,,,,,,,,\n";

    private static Dictionary<string, string> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open(), Encoding.UTF8).ReadToEnd());
    }

    [Fact]
    public async Task TheLibraryExportsAsOneMarkdownFilePerSourceWithFrontMatterAndStableNames()
    {
        var (client, _) = await factory.NewUserAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)), "file", "readwise.csv" } };
        var import = await client.PostAsync("/api/highlights/import", form);
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());

        var response = await client.GetAsync("/api/export/library.zip");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var files = Entries(bytes);
        Assert.Equal(2, files.Count);
        var harbour = files.Single(f => f.Key.StartsWith("The Harbour Book", StringComparison.Ordinal));
        Assert.Matches(@"^The Harbour Book Tides - Ines Duarte [0-9a-f]{6}\.md$", harbour.Key);
        var text = harbour.Value;
        Assert.StartsWith("---\ntitle: \"The Harbour Book: \\\"Tides\\\"\"\nauthor: \"Ines Duarte\"\n", text);
        Assert.Contains("tags: [\"deep-work\"]", text);
        Assert.Matches(@"\nimported: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nupdated: ", text);
        Assert.Contains("> Salt gets into the ledgers.\n>\n> — p. 12 · 2020-11-26 · #deep-work\n", text);
        Assert.Contains("**Note:** why it matters", text);
        // A highlight that looks like front matter stays inside its quote.
        Assert.Contains("> ---\n> title: injected\n", text);
        Assert.Equal(2, text.Split('\n').Count(l => l == "---"));

        // Exporting again gives the same files under the same names.
        var again = Entries(await client.GetByteArrayAsync("/api/export/library.zip"));
        Assert.Equal(files, again);

        // Another reader's export holds nothing of this library.
        var (other, _) = await factory.NewUserAsync();
        Assert.Empty(Entries(await other.GetByteArrayAsync("/api/export/library.zip")));
    }

    [Fact]
    public async Task ADraftDownloadsAsMarkdownWithFrontMatter()
    {
        var author = await factory.UserAsync();
        var editor = await factory.UserAsync(Hatch.Data.HatchUser.Roles.Editor);
        var id = await factory.DraftAsync(author.Id, DraftStatus.Draft, editor.Id, title: "Tides: a \"study\"");
        var response = await author.Client.GetAsync($"/api/drafts/{id}/download");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".md", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("---\ntitle: \"Tides: a \\\"study\\\"\"\n", text);
        Assert.Matches(@"\ndate: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nstatus: ""Draft""\nsources:\n  - ""[^""]+""\n", text);
        Assert.Equal(HttpStatusCode.NotFound, (await (await factory.NewUserAsync()).Client.GetAsync($"/api/drafts/{id}/download")).StatusCode);
    }
}
