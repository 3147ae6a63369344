using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class MarkdownListImporterTests
{
    private static readonly ImportResult Sample = TestFiles.ImportSample("highlights.md");

    [Fact]
    public void QuotesAndBulletsUnderEachHeadingBelongToThatSource()
    {
        Assert.Equal("markdown", Sample.Format);
        Assert.Empty(Sample.Rejected);
        Assert.Equal(13, Sample.Highlights.Count);
        Assert.Equal(["Make It Stick, Gently", "The Focused Week", "On Writing Short"], Sample.Highlights.Select(h => h.Source.Title).Distinct());
        Assert.DoesNotContain(Sample.Highlights, h => h.Source.Title.StartsWith("Reading notes"));
    }

    [Fact]
    public void AMultiLineQuoteIsOneHighlight()
    {
        var recall = Assert.Single(Sample.Highlights, h => h.Text.StartsWith("Effortful recall"));
        Assert.Equal("Effortful recall is the point, not a side effect. If remembering feels easy,\nyou are probably recognising, not recalling.", recall.Text);
    }

    [Fact]
    public void MetadataLinesSetAuthorUrlAndTags()
    {
        var recall = Sample.Highlights.First(h => h.Text.StartsWith("Effortful recall"));
        Assert.Equal("Corinne Bly", recall.Source.Author);
        Assert.Equal("https://example.com/books/make-it-stick-gently", recall.Source.Url);
        Assert.Equal(["learning", "memory"], recall.Tags);
        Assert.Equal("Idris Kamara", Sample.Highlights.First(h => h.Source.Title == "The Focused Week").Source.Author);
        Assert.DoesNotContain(Sample.Highlights, h => h.Text.StartsWith("Author:") || h.Text.StartsWith("Tags:"));
    }

    [Fact]
    public void NoteLinesAndIndentedNoteBulletsAttachToTheHighlightBefore()
    {
        Assert.Equal("Quiz myself before rereading my notes.", Sample.Highlights.Single(h => h.Text.StartsWith("Effortful recall")).Note);
        Assert.Equal("Set calendar reminders for the spacing.", Sample.Highlights.Single(h => h.Text.StartsWith("Space your practice")).Note);
        Assert.Equal("My emails start with three sentences of throat-clearing. Cut them.",
            Sample.Highlights.Single(h => h.Text.StartsWith("Write the way you would explain")).Note);
        Assert.Null(Sample.Highlights.Single(h => h.Text.StartsWith("Every word you cut")).Note);
        Assert.DoesNotContain(Sample.Highlights, h => h.Text.StartsWith("Note:"));
    }

    [Fact]
    public void APageSuffixBecomesTheLocation()
    {
        var mistakes = Assert.Single(Sample.Highlights, h => h.Text.StartsWith("Mistakes during practice"));
        Assert.Equal("Mistakes during practice are information, not verdicts.", mistakes.Text);
        Assert.Equal("88", mistakes.Location?.Page);
    }

    [Fact]
    public void ReadwiseMarkdownExportsAreReadWithTheirMetadataAndLocations()
    {
        var content = """
            # Deep Work

            ![rw-book-cover](https://example.com/cover.jpg)

            ## Metadata
            - Author: [[Cal Newport]]
            - Full Title: Deep Work: Rules for Focused Success
            - Category: #books

            ## Highlights
            - Clarity about what matters provides clarity about what does not. ([Location 1021](https://readwise.io/to_kindle?location=1021))
                - Note: Weekly planning.
                - Tags: [[focus]]
            - Schedule every minute of your day. ([Location 2112](https://readwise.io/to_kindle?location=2112))
            """;
        var result = HighlightImporters.Default.Import(content, "Deep Work.md");
        Assert.Equal("markdown", result.Format);
        Assert.Equal(2, result.Highlights.Count);
        var clarity = result.Highlights[0];
        Assert.Equal("Clarity about what matters provides clarity about what does not.", clarity.Text);
        Assert.Equal("1021", clarity.Location?.Location);
        Assert.Equal("Weekly planning.", clarity.Note);
        Assert.Equal(["focus"], clarity.Tags);
        Assert.Equal("Cal Newport", clarity.Source.Author);
    }

    [Fact]
    public void AnEmptyBulletIsRejectedWithItsLine()
    {
        var result = HighlightImporters.Default.Import("# Notes\n- First.\n- \n- Third.\n", "list.md", "markdown");
        Assert.Equal(["First.", "Third."], result.Highlights.Select(h => h.Text));
        Assert.Equal(3, Assert.Single(result.Rejected).Line);
    }
}
