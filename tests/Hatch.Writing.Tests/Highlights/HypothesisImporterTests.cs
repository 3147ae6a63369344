using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class HypothesisImporterTests
{
    private static readonly ImportResult WithErrors = TestFiles.ImportData("hypothesis-with-errors.json");

    [Fact]
    public void PageNotesAndRepliesAreSkippedNotRejected()
    {
        var result = TestFiles.ImportSample("hypothesis.json");
        Assert.Equal("hypothesis", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(9, result.Highlights.Count); // 11 rows: one page note, one reply
        Assert.DoesNotContain(result.Highlights, h => h.Text == "Whole guide is good. Share with Dana." || h.Note == "Agree with this.");
    }

    [Fact]
    public void TheQuoteIsTheHighlightAndTheAnnotationTextIsTheNote()
    {
        var quiz = Assert.Single(WithErrors.Highlights, h => h.Text == "Quiz yourself before you reread.");
        Assert.Equal("Use this on Friday.", quiz.Note);
        Assert.Equal("A Teacher's Guide to Retrieval Practice", quiz.Source.Title);
        Assert.Equal("https://example.edu/retrieval", quiz.Source.Url);
        Assert.Equal(1432, quiz.Location?.Offset);
        Assert.Equal(["learning"], quiz.Tags);
        Assert.Equal(new DateTimeOffset(2024, 10, 5, 9, 12, 33, TimeSpan.Zero).AddTicks(4151230), quiz.HighlightedAt);
    }

    [Fact]
    public void APageWithoutATitleIsNamedByItsUrl()
    {
        var untitled = Assert.Single(WithErrors.Highlights, h => h.Text == "Only the URL names this page.");
        Assert.Equal("https://example.com/no-title", untitled.Source.Title);
        Assert.Null(untitled.Note);
    }

    [Fact]
    public void MalformedAnnotationsAreReportedAtTheirJsonPathWithTheLine()
    {
        Assert.Equal(2, WithErrors.Highlights.Count);
        Assert.Equal(3, WithErrors.Rejected.Count);

        var target = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.rows[2].target");
        Assert.Equal(35, target.Line);
        Assert.Contains("target should be an array, not a string", target.Message);

        var exact = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.rows[3].target[0]");
        Assert.Equal(43, exact.Line);
        Assert.Contains("\"exact\" should be a string, not a number", exact.Message);

        var date = Assert.Single(WithErrors.Rejected, i => i.JsonPath == "$.rows[4]");
        Assert.Equal(49, date.Line);
        Assert.Contains("date 'last Tuesday' is not a date", date.Message);
    }

    [Fact]
    public void MalformedJsonStopsTheImportWithFileLineAndPosition()
    {
        var ex = Assert.Throws<ImportException>(() => TestFiles.ImportData("hypothesis-truncated.json", "hypothesis"));
        Assert.StartsWith("hypothesis-truncated.json:7:", ex.Message);
        Assert.Contains("not valid JSON at line 7", ex.Message);
        Assert.Equal(7, Assert.Single(ex.Issues).Line);
    }

    [Fact]
    public void JsonWithoutRowsIsNotAHypothesisExport()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("{\"total\": 3}", "api.json", "hypothesis"));
        Assert.Contains("\"rows\"", ex.Message);
    }
}
