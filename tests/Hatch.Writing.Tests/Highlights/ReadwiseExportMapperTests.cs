using System.Text.Json;
using Hatch.Writing.Importing;
using Hatch.Writing.Rendering;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>Readwise's export API is mapped by the CSV importer's rules, plus what only the API gives.</summary>
public sealed class ReadwiseExportMapperTests
{
    private const string Page = """
        {"count": 1, "nextPageCursor": 12345, "results": [{
          "user_book_id": 7, "title": "Deep Work", "readable_title": "Deep Work", "author": "Cal Newport",
          "source_url": "https://example.com/dw", "book_tags": [{"id": 1, "name": "focus"}],
          "highlights": [
            {"id": 1, "text": "On a page.", "location": 42, "location_type": "page", "note": "", "tags": [], "is_favorite": true, "is_discard": false, "highlighted_at": "2024-04-07T21:41:22Z"},
            {"id": 2, "text": "Discarded in review.", "location": 3, "location_type": "location", "tags": [], "is_discard": true},
            {"id": 3, "text": "Discarded the old way.", "location": 4, "location_type": "location", "tags": [{"id": 9, "name": "discard"}]},
            {"id": 4, "text": "Gone.", "location": 5, "location_type": "order", "is_deleted": true},
            {"id": 5, "text": "In a podcast.", "location": 95, "location_type": "time", "note": "listen again", "tags": [{"id": 2, "name": "audio"}]}
          ]}]}
        """;

    [Fact]
    public void TheExportMapsLikeTheCsvAndKeepsFavouritesSourceUrlsAndDeletions()
    {
        var page = JsonSerializer.Deserialize<ReadwiseExportPage>(Page)!;
        Assert.Equal("12345", page.Cursor);
        var items = page.Results!.SelectMany(ReadwiseExportMapper.Map).ToDictionary(i => i.ExternalId);

        var onPage = items["1"].Highlight!;
        Assert.Equal("42", onPage.Location!.Page);
        Assert.Equal(["favorite", "focus"], onPage.Tags);
        Assert.Null(onPage.Note);
        Assert.Equal(("Deep Work", "Cal Newport", "https://example.com/dw"), (onPage.Source.Title, onPage.Source.Author, onPage.Source.Url));
        Assert.Equal(new DateTimeOffset(2024, 4, 7, 21, 41, 22, TimeSpan.Zero), onPage.HighlightedAt);

        Assert.Contains("discarded", items["2"].Skipped);
        Assert.Contains("discarded", items["3"].Skipped);
        Assert.True(items["4"].Deleted);
        var podcast = items["5"].Highlight!;
        Assert.Equal("0:01:35", podcast.Location!.Location);
        Assert.Equal("listen again", podcast.Note);
    }

    [Fact]
    public void ExportFileNamesAreStableReadableAndSafeOnEveryFileSystem()
    {
        var name = ObsidianExport.FileNameOf("What/is: a \"book\"? #1", "A. Writer");
        Assert.Matches(@"^What is a book 1 - A\. Writer [0-9a-f]{6}\.md$", name);
        Assert.Equal(name, ObsidianExport.FileNameOf("What/is: a \"book\"? #1", "A. Writer"));
        Assert.NotEqual(name, ObsidianExport.FileNameOf("What is a book 1", "A. Writer"));
        Assert.Matches(@"^Untitled [0-9a-f]{6}\.md$", ObsidianExport.FileNameOf("///", null));
    }
}
