using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class ReadwiseCsvImporterTests
{
    private static readonly ImportResult Awkward = TestFiles.ImportData("readwise-awkward.csv");

    [Fact]
    public void QuotedCommasAndDoubledQuotesAreReadAsWritten()
    {
        Assert.Contains(Awkward.Highlights, h => h.Text == "Practice, not talent, decides most outcomes.");
        var deliberate = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("She called it"));
        Assert.Equal("She called it \"deliberate\" practice, and meant it.", deliberate.Text);
        Assert.Equal("Note with a comma, and \"quotes\"", deliberate.Note);
    }

    [Fact]
    public void LineBreaksInsideQuotedFieldsStayInOneHighlight()
    {
        var passage = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("First line of a long passage,"));
        Assert.Equal("First line of a long passage,\nsecond line, still the same highlight.\n\nThird paragraph after a blank line.", passage.Text);
        Assert.Equal("My note\nspans two lines", passage.Note);
    }

    [Fact]
    public void ARowWithoutHighlightTextIsRejectedAtItsPhysicalLineAfterAMultiLineRecord()
    {
        var issue = Assert.Single(Awkward.Rejected, i => i.Message.Contains("missing highlight text"));
        Assert.Equal(9, issue.Line);
        Assert.Equal("readwise-awkward.csv", issue.File);
    }

    [Fact]
    public void AnUnreadableDateRejectsTheRowAndSaysWhy()
    {
        var issue = Assert.Single(Awkward.Rejected, i => i.Line == 10);
        Assert.Contains("date 'yesterday-ish' is not a date", issue.Message);
    }

    [Fact]
    public void TheGoodRowsImportAroundTheBadOnes()
    {
        Assert.Equal(5, Awkward.Highlights.Count);
        Assert.Equal(2, Awkward.Rejected.Count);
        Assert.Contains(Awkward.Highlights, h => h.Text == "Spaced review beats cramming." && h.HighlightedAt is null && h.Location is null);
    }

    [Fact]
    public void LocationTypesMapOntoTheHighlightLocation()
    {
        Assert.Equal("112", Awkward.Highlights.Single(h => h.Text.StartsWith("Practice, not talent")).Location?.Location);
        Assert.Equal("42", Awkward.Highlights.Single(h => h.Text.StartsWith("She called it")).Location?.Page);
        // An article's order is not a character offset: it is kept as the order it is.
        var ordered = Awkward.Highlights.Single(h => h.Text.StartsWith("First line")).Location;
        Assert.Equal("order 3", ordered?.Location);
        Assert.Null(ordered?.Offset);
        Assert.Equal("0:01:35", Awkward.Highlights.Single(h => h.Text.StartsWith("Avoid measuring")).Location?.Location);
    }

    [Fact]
    public void TagsAndDocumentTagsAreMergedWithoutCaseDuplicates()
    {
        var practice = Awkward.Highlights.Single(h => h.Text.StartsWith("Practice, not talent"));
        Assert.Equal(["practice", "Learning", "focus"], practice.Tags);
        Assert.Equal(["focus", "podcasts"], Awkward.Highlights.Single(h => h.Text.StartsWith("Avoid measuring")).Tags);
    }

    [Fact]
    public void AuthorTitleColourAndTimestampAreKept()
    {
        var practice = Awkward.Highlights.Single(h => h.Text.StartsWith("Practice, not talent"));
        Assert.Equal("The Practice Ledger", practice.Source.Title);
        Assert.Equal("Mara Ellison", practice.Source.Author);
        Assert.Equal("yellow", practice.Color);
        Assert.Equal(new DateTimeOffset(2024, 3, 3, 14, 5, 1, TimeSpan.Zero), practice.HighlightedAt);
    }

    [Fact]
    public void StrictModeThrowsAndListsEveryRejectedRow()
    {
        var ex = Assert.Throws<ImportException>(() => TestFiles.ImportData("readwise-awkward.csv", strict: true));
        Assert.Equal(2, ex.Issues.Count);
        Assert.Contains(ex.Issues, i => i.ToString().StartsWith("readwise-awkward.csv:9", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.ToString().StartsWith("readwise-awkward.csv:10", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnclosedQuoteIsReportedAndTheRowsBeforeItSurvive()
    {
        var content = "Highlight,Book Title\r\nFirst,Book\r\n\"Never closed,Book\r\nThird,Book\r\n";
        var result = HighlightImporters.Default.Import(content, "broken.csv", "readwise");
        Assert.Equal(["First"], result.Highlights.Select(h => h.Text));
        var issue = Assert.Single(result.Rejected);
        Assert.Equal(3, issue.Line);
        Assert.Contains("never closed", issue.Message);
    }

    [Fact]
    public void AStrayQuoteRejectsOnlyItsRow()
    {
        var content = "Highlight,Book Title\nGood one,Book\nBad \"quote\" here,Book\nAlso good,Book\n";
        var result = HighlightImporters.Default.Import(content, "stray.csv", "readwise");
        Assert.Equal(["Good one", "Also good"], result.Highlights.Select(h => h.Text));
        Assert.Equal(3, Assert.Single(result.Rejected).Line);
    }

    [Fact]
    public void ChoosingReadwiseForAFileWithoutItsHeaderSaysWhatWasFound()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("Title,Author\nx,y\n", "other.csv", "readwise"));
        Assert.Contains("other.csv", ex.Message);
        Assert.Contains("no 'Highlight' column", ex.Message);
        Assert.Contains("'Title'", ex.Message);
    }

    [Fact]
    public void TheSampleExportImportsCleanly()
    {
        var result = TestFiles.ImportSample("readwise.csv");
        Assert.Equal("readwise", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(25, result.Highlights.Count);
        Assert.Contains(result.Highlights, h => h.Text.Contains('\n'));
        Assert.Contains(result.Highlights, h => h.Text.Contains('"'));
        Assert.True(result.Highlights.Count(h => h.Note is not null) >= 5);
    }
}
