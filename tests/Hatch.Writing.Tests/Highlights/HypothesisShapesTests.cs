using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>Hypothesis annotations as they are really saved: in the API's wrapper, as a bare array of rows, or one alone.</summary>
public sealed class HypothesisShapesTests
{
    private const string Quoted = """
        {"id":"a1","created":"2023-04-02T10:11:12.000000+00:00","updated":"2023-04-02T10:11:12.000000+00:00","user":"acct:mira@hypothes.is",
         "uri":"https://example.org/tides.pdf","text":"Check the 1998 figures.","tags":["need:source"],"group":"__world__",
         "target":[{"source":"https://example.org/tides.pdf","selector":[{"type":"TextPositionSelector","start":7029,"end":7055},
           {"type":"TextQuoteSelector","prefix":"by the third ","exact":"spring tide of the decade","suffix":" the harbour"}]}],
         "document":{"title":["Tides of the North Sea"]}}
        """;

    private const string PageNote = """
        {"id":"a2","created":"2023-04-03T08:00:00.000000+00:00","user":"acct:mira@hypothes.is","uri":"https://example.org/harbour",
         "text":"The whole page argues from one storm.","tags":[],"target":[{"source":"https://example.org/harbour"}],
         "document":{"title":["Harbour Walls"]}}
        """;

    private const string EmptyPageNote = """
        {"id":"a3","created":"2023-04-03T08:00:00.000000+00:00","user":"acct:mira@hypothes.is","uri":"https://example.org/dunes",
         "text":"","tags":["lang:nl"],"target":[{"source":"https://example.org/dunes"}],"document":{"title":["Dunes"]}}
        """;

    private const string Reply = """
        {"id":"a4","created":"2023-04-04T08:00:00.000000+00:00","user":"acct:ole@hypothes.is","uri":"https://example.org/tides.pdf",
         "text":"The 1998 figures are in the appendix.","references":["a1"],"target":[{"source":"https://example.org/tides.pdf"}],
         "document":{"title":["Tides of the North Sea"]}}
        """;

    private static string BareArray => $"[{Quoted},{PageNote},{EmptyPageNote},{Reply}]";

    [Fact]
    public void ABareArrayOfRowsIsDetectedAsHypothesisNotHatchJson()
    {
        var result = HighlightImporters.Default.Import(BareArray, "annotations.json");

        Assert.Equal("hypothesis", result.Format);
        var highlight = Assert.Single(result.Highlights);
        Assert.Equal("spring tide of the decade", highlight.Text);
        Assert.Equal("Check the 1998 figures.", highlight.Note);
        Assert.Equal("Tides of the North Sea", highlight.Source.Title);
        Assert.Equal("https://example.org/tides.pdf", highlight.Source.Url);
    }

    [Fact]
    public void PageNotesAreKeptOnTheirDocumentAndRepliesAreSkippedAndCounted()
    {
        var result = HighlightImporters.Default.Import(BareArray, "annotations.json");

        Assert.Equal(2, result.Notes);
        var kept = Assert.Single(result.KeptNotes);
        Assert.Equal("The whole page argues from one storm.", kept.Text);
        Assert.Equal("Harbour Walls", kept.Source.Title);
        Assert.Contains(result.Skipped, s => s.JsonPath == "$[2]" && s.Message.Contains("page note with no text"));
        Assert.Contains(result.Skipped, s => s.JsonPath == "$[3]" && s.Message.Contains("reply"));
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void TheApiWrapperAndASingleAnnotationWithAStringTitleReadTheSame()
    {
        var wrapped = HighlightImporters.Default.Import($$"""{"total":2,"rows":[{{Quoted}},{{Reply}}]}""", "search.json");
        var single = HighlightImporters.Default.Import(Quoted.Replace("""{"title":["Tides of the North Sea"]}""", """{"title":"Tides of the North Sea"}"""), "one.json");

        Assert.Equal("hypothesis", wrapped.Format);
        Assert.Equal("hypothesis", single.Format);
        var (a, b) = (wrapped.Highlights.Single(), single.Highlights.Single());
        Assert.Equal((a.Text, a.Note, a.Source, a.Location, a.HighlightedAt), (b.Text, b.Note, b.Source, b.Location, b.HighlightedAt));
        Assert.Equal(a.Tags, b.Tags);
        Assert.Single(wrapped.Skipped);
    }
}
