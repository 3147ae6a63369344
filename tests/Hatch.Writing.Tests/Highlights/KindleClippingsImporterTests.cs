using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class KindleClippingsImporterTests
{
    private static readonly ImportResult Awkward = TestFiles.ImportData("kindle-awkward.txt");

    [Fact]
    public void TheRawFileReallyHasABomAndCrlfLineEndings()
    {
        var raw = TestFiles.RawData("kindle-awkward.txt");
        Assert.StartsWith("\uFEFF", raw);
        Assert.Contains("\r\n==========\r\n", raw);
    }

    [Fact]
    public void ByteOrderMarksAndCarriageReturnsDoNotLeakIntoTitlesOrText()
    {
        var result = new KindleClippingsImporter().Import(TestFiles.RawData("kindle-awkward.txt"), "My Clippings.txt");
        Assert.NotEmpty(result.Highlights);
        Assert.All(result.Highlights, h =>
        {
            Assert.DoesNotContain('\uFEFF', h.Source.Title);
            Assert.DoesNotContain('\r', h.Text);
            Assert.DoesNotContain('\r', h.Source.Title);
        });
    }

    [Fact]
    public void TheAuthorIsInTheLastParenthesesAndLastFirstIsTurnedAround()
    {
        var systems = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("You should look for the feedback loops"));
        Assert.Equal("Thinking in Systems (A Primer)", systems.Source.Title);
        Assert.Equal("Donella H. Meadows", systems.Source.Author);
    }

    [Fact]
    public void ATitleWithoutParenthesesHasNoAuthor()
    {
        var notes = Awkward.Highlights.Where(h => h.Source.Title == "Field Notes 2024").ToList();
        Assert.NotEmpty(notes);
        Assert.All(notes, h => Assert.Null(h.Source.Author));
    }

    [Fact]
    public void BritishAndAmericanDatesAreBothRead()
    {
        var british = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("You should look for the feedback loops"));
        Assert.Equal(new DateTimeOffset(2024, 3, 3, 14, 5, 1, TimeSpan.Zero), british.HighlightedAt);

        var american = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("Make the cue obvious"));
        Assert.Equal(new DateTimeOffset(2024, 4, 7, 21, 41, 22, TimeSpan.Zero), american.HighlightedAt);

        var older = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("Keep the notebook"));
        Assert.Equal(new DateTimeOffset(2024, 5, 18, 19, 30, 0, TimeSpan.Zero), older.HighlightedAt);
    }

    [Theory]
    [InlineData("Monday, 3 March 2024 14:05:01", "2024-03-03T14:05:01")] // weekday does not match the date: kept anyway
    [InlineData("Sunday, April 7, 2024 9:41:22 PM", "2024-04-07T21:41:22")]
    [InlineData("Saturday, June 23, 2012, 02:16 PM", "2012-06-23T14:16:00")]
    [InlineData("Tuesday, 14 May 2024 08:15:00", "2024-05-14T08:15:00")]
    public void KindleDatesInTheUsualEnglishFormsParse(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected + "Z", System.Globalization.CultureInfo.InvariantCulture), KindleClippingsImporter.ParseDate(text));

    [Fact]
    public void AnUnreadableDateKeepsTheHighlightWithoutADate()
    {
        var boredom = Assert.Single(Awkward.Highlights, h => h.Text == "Boredom is the doorway to focus.");
        Assert.Null(boredom.HighlightedAt);
        Assert.DoesNotContain(Awkward.Rejected, i => i.Message.Contains("date"));
        var warning = Assert.Single(Awkward.Warnings, w => w.Message.Contains("sometime last spring"));
        Assert.Equal(37, warning.Line);
    }

    [Fact]
    public void ANoteIsAttachedToTheHighlightAtItsLocation()
    {
        var cue = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("Make the cue obvious"));
        Assert.Equal("Put the running shoes by the door tonight.", cue.Note);
        Assert.DoesNotContain(Awkward.Highlights, h => h.Text == "Put the running shoes by the door tonight.");
    }

    [Fact]
    public void ANoteFindsItsHighlightThroughAnAbbreviatedOldKindleRange()
    {
        var notebook = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("Keep the notebook"));
        Assert.Equal("Kitchen drawer.", notebook.Note);
        // The old Kindle wrote "1104-06"; the range is stored whole.
        Assert.Equal("1104–1106", notebook.Location?.Location);
    }

    [Fact]
    public void ANoteWithNoHighlightIsKeptOnItsBookAndNotCountedAsAHighlight()
    {
        Assert.DoesNotContain(Awkward.Highlights, h => h.Text == "Try a weekly review on Sunday mornings.");
        var kept = Assert.Single(Awkward.KeptNotes, n => n.Text == "Try a weekly review on Sunday mornings.");
        Assert.Equal("Field Notes 2024", kept.Source.Title);
    }

    [Fact]
    public void ABookmarkIsSkipped()
    {
        Assert.DoesNotContain(Awkward.Highlights, h => h.Location?.Location == "140");
        Assert.DoesNotContain(Awkward.Rejected, i => i.Line == 16);
    }

    [Fact]
    public void AReHighlightedPassageIsKeptOnceWithTheLongerText()
    {
        var neverMiss = Awkward.Highlights.Where(h => h.Text.StartsWith("Never miss twice.")).ToList();
        var kept = Assert.Single(neverMiss);
        Assert.EndsWith("the start of a new habit.", kept.Text);
        Assert.Equal("200–203", kept.Location?.Location);
    }

    [Fact]
    public void TheSameTextHighlightedTwiceIsKeptOnceAsTheLaterRecord()
    {
        var kept = Assert.Single(Awkward.Highlights, h => h.Text == "Write it down or it did not happen.");
        Assert.Equal("90–91", kept.Location?.Location);
        Assert.Equal(new DateTimeOffset(2024, 5, 18, 18, 0, 0, TimeSpan.Zero), kept.HighlightedAt);
    }

    [Fact]
    public void LowercaseLocationAndPageAreReadAndMultiLineTextKeepsItsBreak()
    {
        var budget = Assert.Single(Awkward.Highlights, h => h.Text.StartsWith("Attention is a budget."));
        Assert.Equal("41", budget.Location?.Page);
        Assert.Equal("610–612", budget.Location?.Location);
        Assert.Equal("Attention is a budget.\nSpend it first on what you would regret neglecting.", budget.Text);
    }

    [Fact]
    public void AClippingWithNoTextIsRejectedWithItsLineWhileTheRestImport()
    {
        var issue = Assert.Single(Awkward.Rejected);
        Assert.Equal("kindle-awkward.txt", issue.File);
        Assert.Equal(41, issue.Line);
        Assert.Contains("missing highlight text", issue.Message);
        // The note written without a highlight is kept as a note, not counted among the highlights.
        Assert.Equal(7, Awkward.Highlights.Count);
    }

    [Fact]
    public void StrictModeTurnsTheEmptyClippingIntoAnError()
    {
        var ex = Assert.Throws<ImportException>(() => TestFiles.ImportData("kindle-awkward.txt", strict: true));
        Assert.Contains(ex.Issues, i => i.ToString().StartsWith("kindle-awkward.txt:41", StringComparison.Ordinal));
        Assert.Single(ex.Issues);
    }

    [Fact]
    public void TheSampleClippingsImportCleanly()
    {
        var result = TestFiles.ImportSample("kindle-my-clippings.txt");
        Assert.Equal("kindle", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(25, result.Highlights.Count);
        Assert.Equal(4, result.Highlights.Count(h => h.Note is not null));
        Assert.Equal(4, result.Highlights.Select(h => h.Source.Title).Distinct().Count());
        Assert.Contains(result.Highlights, h => h.Source is { Title: "Small Hinges", Author: "Tomasz Wren" });
        Assert.Contains(result.Highlights, h => h.Source is { Title: "Draft Zero (Revised Edition)", Author: "Ines Calloway" });
        Assert.All(result.Highlights, h => Assert.NotNull(h.HighlightedAt));
    }

    [Theory]
    [InlineData("- Your Highlight on page 12 | Location 123-125 | Added on Monday, 3 March 2024 14:05:01")]
    [InlineData("- Your Highlight on Location 123-125 | Added on Sunday, April 7, 2024 9:41:22 PM")]
    public void DetectionIsSureOfAClippingsFile(string header)
    {
        var content = $"Deep Work (Cal Newport)\r\n{header}\r\n\r\nSome text.\r\n==========\r\n";
        Assert.Equal(100, new KindleClippingsImporter().Detect(content));
        Assert.Equal(0, new KindleClippingsImporter().Detect("Highlight,Book Title\nx,y"));
    }
}
