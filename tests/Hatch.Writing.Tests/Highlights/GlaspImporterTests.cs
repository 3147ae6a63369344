using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class GlaspImporterTests
{
    private static readonly ImportResult WithErrors = TestFiles.ImportData("glasp-with-errors.json");

    [Fact]
    public void TheApiJsonSampleImportsEveryHighlightWithItsDocument()
    {
        var result = TestFiles.ImportSample("glasp.json");
        Assert.Equal("glasp", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(13, result.Highlights.Count);
        var drill = Assert.Single(result.Highlights, h => h.Text.StartsWith("You should choose one sub-skill"));
        Assert.Equal("Deliberate Practice for People With Day Jobs", drill.Source.Title);
        Assert.Equal("https://example.net/blog/deliberate-practice-day-jobs", drill.Source.Url);
        Assert.Equal("This week: transitions between chords.", drill.Note);
        Assert.Equal(["learning", "practice"], drill.Tags);
        Assert.Equal(new DateTimeOffset(2024, 7, 10, 19, 9, 30, TimeSpan.Zero), drill.HighlightedAt);
    }

    [Fact]
    public void TheSheetsCsvSampleImportsWithItsColumns()
    {
        var result = TestFiles.ImportSample("glasp.csv");
        Assert.Equal("glasp", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(10, result.Highlights.Count);
        var quiet = Assert.Single(result.Highlights, h => h.Text.StartsWith("Agree on quiet hours"));
        Assert.Equal("Focus Is a Team Sport", quiet.Source.Title);
        Assert.Equal("https://example.org/essays/focus-team-sport", quiet.Source.Url);
        Assert.Contains("\"quick question\"", quiet.Text);
        Assert.Equal(["focus", "attention"], quiet.Tags);
        Assert.Equal("orange", quiet.Color);
        Assert.Contains(result.Highlights, h => h.Text.Contains('\n'));
    }

    [Fact]
    public void ACsvHeaderWithSpacesAfterTheCommasIsStillGlasp()
    {
        var content = "Document Title, Document URL, Glasp URL, Highlight Text, Note, Tags, Color, Highlighted At\n"
            + "On Focus,https://example.org/focus,https://glasp.co/p/1,Close the tabs you are not using.,,focus,yellow,2024-09-03 08:12:40\n";
        var result = HighlightImporters.Default.Import(content, "sheet.csv");
        Assert.Equal("glasp", result.Format);
        var highlight = Assert.Single(result.Highlights);
        Assert.Equal("Close the tabs you are not using.", highlight.Text);
        Assert.Equal("On Focus", highlight.Source.Title);
        Assert.Equal(new DateTimeOffset(2024, 9, 3, 8, 12, 40, TimeSpan.Zero), highlight.HighlightedAt);
    }

    [Fact]
    public void EntitiesAndMarkupAreKeptAsGivenNotDecoded()
    {
        Assert.Contains(WithErrors.Highlights, h => h.Text == "Habits &amp; tools are only as good as the cue that starts them.");
        Assert.Contains(WithErrors.Highlights, h => h.Text == "Try <b>one</b> change at a time.");
    }

    [Fact]
    public void DocumentTagsAndHighlightTagsMergeAndEmptyNotesAreDropped()
    {
        var habits = WithErrors.Highlights.Single(h => h.Text.StartsWith("Habits"));
        Assert.Null(habits.Note);
        var oneChange = WithErrors.Highlights.Single(h => h.Text.StartsWith("Try <b>"));
        Assert.Equal(["habits", "Focus", "experiments"], oneChange.Tags);
    }

    [Fact]
    public void BadRecordsAreReportedAtTheirJsonPathAndLine()
    {
        Assert.Equal(3, WithErrors.Highlights.Count);
        Assert.Equal(3, WithErrors.Rejected.Count);

        var missing = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.results[1].highlights[0]");
        Assert.Equal("missing highlight text", missing.Message);
        Assert.Equal(30, missing.Line);

        var date = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.results[1].highlights[1]");
        Assert.Contains("date 'the third of July' is not a date", date.Message);
        Assert.Equal(34, date.Line);

        var notADocument = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.results[2]");
        Assert.Contains("expected a document object, found a string", notADocument.Message);
        Assert.Equal("glasp-with-errors.json:44 ($.results[2]): expected a document object, found a string", notADocument.ToString());
    }

    [Fact]
    public void ChoosingGlaspForJsonWithoutDocumentsIsAnError()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("{\"total\": 0}", "empty.json", "glasp"));
        Assert.Contains("empty.json", ex.Message);
        Assert.Contains("highlights[]", ex.Message);
    }
}
