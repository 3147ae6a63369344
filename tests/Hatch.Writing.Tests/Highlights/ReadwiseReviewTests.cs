using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>Readwise exports of every era (9, 10 and 11 columns) and what its review leaves in them.</summary>
public sealed class ReadwiseReviewTests
{
    private const string TenColumns = """
        Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at
        "Every harbour is a bargain with the sea.",The Harbour Book,Ines Duarte,,,,favorite,order,2,2020-11-26 03:28:15
        "Walls remember storms longer than people do.",The Harbour Book,Ines Duarte,,,,discard,order,3,2020-11-26 03:29:00
        "The tide table is a kind of promise.",The Harbour Book,Ines Duarte,,,,"discard, favorite",,0,2020-11-26 03:30:00
        "Salt gets into everything, even the ledgers.",The Harbour Book,Ines Duarte,,,,,,0,2020-11-26 03:31:00

        """;

    private const string NineColumns = """
        Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location
        A lighthouse keeper's log is mostly weather.,Keepers,"Lane, Ada, and Moreau, Luc",B00KEEPERS,,pink,pink,location,332

        """;

    [Fact]
    public void DiscardedRowsAreSkippedAndCountedWithTheirLines()
    {
        var result = HighlightImporters.Default.Import(TenColumns, "readwise.csv");

        Assert.Equal(2, result.Highlights.Count);
        Assert.Equal([3, 4], result.Skipped.Select(s => s.Line));
        Assert.All(result.Skipped, s => Assert.Contains("discarded", s.Message));
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void AnOptionImportsTheDiscardedRowsToo()
    {
        var importers = HighlightImporters.Default.With(new ReadwiseCsvImporter { IncludeDiscarded = true });

        var result = importers.Import(TenColumns, "readwise.csv");

        Assert.Equal(4, result.Highlights.Count);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void FavoriteStaysATagAndOrderStaysAnOrderNotAnOffset()
    {
        var first = HighlightImporters.Default.Import(TenColumns, "readwise.csv").Highlights[0];

        Assert.Contains("favorite", first.Tags);
        Assert.Equal("order 2", first.Location?.Location);
        Assert.Null(first.Location?.Offset);
        Assert.Equal("order 2", first.Location?.ToString());
    }

    [Fact]
    public void AnEmptyLocationTypeWithLocationZeroMeansNoLocation()
    {
        var salt = HighlightImporters.Default.Import(TenColumns, "readwise.csv").Highlights.Single(h => h.Text.StartsWith("Salt"));

        Assert.Null(salt.Location);
    }

    [Fact]
    public void TheNineColumnExportOfTwentyNineteenReads()
    {
        var result = HighlightImporters.Default.Import(NineColumns, "readwise.csv");

        Assert.Equal("readwise", result.Format);
        var keeper = Assert.Single(result.Highlights);
        Assert.Equal("Lane, Ada, and Moreau, Luc", keeper.Source.Author);
        Assert.Equal("332", keeper.Location?.Location);
        Assert.Null(keeper.HighlightedAt);
    }
}
