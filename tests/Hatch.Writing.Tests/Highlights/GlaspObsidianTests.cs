using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>Glasp's Obsidian export: a Markdown file per page, named after the page, with front matter and quote blocks.</summary>
public sealed class GlaspObsidianTests
{
    private const string Page = """
        ---
        URL: https://example.org/essays/slow-harbours
        Glasp URL: https://glasp.co/ines/p/0a1b2c3d4e5f
        Tags: [harbours, slow-work]
        Last updated: 2025-06-30
        ---
        #### Thoughts & Comments
        Worth rereading before the workshop.

        #### Highlights & Notes

        > A harbour is a promise made to ships that have not yet been built.

        > Silt is patient; dredging is not.
        - Compare with the canal chapter.

        > Every wall is a guess about the worst storm.
        - First thought.

        Second paragraph of the same note.

        > 

        """;

    [Fact]
    public void QuotesBecomeHighlightsWithTheirNotesTitledByTheFileName()
    {
        var result = HighlightImporters.Default.Import(Page, "Slow Harbours.md");

        Assert.Equal("glasp", result.Format);
        Assert.Equal(3, result.Highlights.Count);
        var silt = Assert.Single(result.Highlights, h => h.Text == "Silt is patient; dredging is not.");
        Assert.Equal("Compare with the canal chapter.", silt.Note);
        Assert.Equal("Slow Harbours", silt.Source.Title);
        Assert.Equal("https://example.org/essays/slow-harbours", silt.Source.Url);
        Assert.Equal(["harbours", "slow-work"], silt.Tags);
        Assert.Null(result.Highlights[0].Note);
        Assert.Equal("First thought.\n\nSecond paragraph of the same note.", result.Highlights[2].Note);
    }

    [Fact]
    public void ThePagesOwnCommentIsANoteOnThePageAndAnEmptyQuoteIsRejectedWithItsLine()
    {
        var result = HighlightImporters.Default.Import(Page, "Slow Harbours.md");

        Assert.Equal(1, result.Notes);
        Assert.Equal("Worth rereading before the workshop.", Assert.Single(result.KeptNotes).Text);
        Assert.Equal(22, Assert.Single(result.Rejected).Line);
    }

    [Fact]
    public void AKindleBookFromGlaspKeepsItsAuthor()
    {
        var book = Page.Replace("Tags: [harbours, slow-work]", "Author: Ines Duarte\nTags: []");

        var highlight = HighlightImporters.Default.Import(book, "The Harbour Book.md").Highlights[0];

        Assert.Equal("Ines Duarte", highlight.Source.Author);
        Assert.Empty(highlight.Tags);
    }
}
