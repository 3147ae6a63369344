using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class HighlightImportersTests
{
    [Theory]
    [InlineData("kindle-my-clippings.txt", "kindle")]
    [InlineData("readwise.csv", "readwise")]
    [InlineData("glasp.json", "glasp")]
    [InlineData("glasp.csv", "glasp")]
    [InlineData("hypothesis.json", "hypothesis")]
    [InlineData("highlights.md", "markdown")]
    [InlineData("highlights.json", "json")]
    public void EverySampleIsRecognisedByItsContent(string sample, string format)
    {
        var content = File.ReadAllText(TestFiles.SamplePath(sample));
        Assert.Equal(format, HighlightImporters.Default.Detect(content)?.Format);
        // The name is not a hint: the same content under a misleading name is still recognised.
        var result = HighlightImporters.Default.Import(content, "export.txt");
        Assert.Equal(format, result.Format);
        Assert.NotEmpty(result.Highlights);
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void EveryShippedSampleIsCoveredByTheDetectionTest()
    {
        var samples = Directory.GetFiles(Path.Combine(TestFiles.RepoRoot, "samples")).Select(Path.GetFileName).Order();
        Assert.Equal(["glasp.csv", "glasp.json", "highlights.json", "highlights.md", "hypothesis.json", "kindle-my-clippings.txt", "readwise.csv"], samples);
    }

    [Fact]
    public void AMarkdownListWhoseBulletsLookLikeKindleWordsIsStillMarkdown()
    {
        var result = HighlightImporters.Default.Import("- Note: the chapter on habits is the best part\n- Highlight the first page of every chapter\n", "list.txt");
        Assert.Equal("markdown", result.Format);
        Assert.Equal(2, result.Highlights.Count);
    }

    [Fact]
    public void DefaultListsEveryFormatOnce()
    {
        Assert.Equal(["kindle", "readwise", "glasp", "hypothesis", "json", "markdown"], HighlightImporters.Default.Formats);
    }

    [Fact]
    public void ContentNoImporterRecognisesNamesTheFileAndTheFormats()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("just some words\nwith no structure", "notes.txt"));
        Assert.Equal("notes.txt: cannot tell the format of this file", ex.Message);
        Assert.Equal(HighlightImporters.Default.Formats, ex.ChooseFormat);
    }

    /// <summary>A document in the shape of this project's README: prose, a code block, a table, a few bullets and one quote.</summary>
    private const string PlainDocument = """
        # Tide tables for small harbours

        This guide explains how the harbour office publishes its tide tables, and how to read them
        when the printed copy and the website disagree. It is written for visiting sailors.

        > Check the local notice board before you rely on any table.

        ## Installing the reader

        ```sh
        tide-reader install --harbour porthallow
        tide-reader show --week
        ```

        | Column | Meaning |
        |---|---|
        | HW | high water |

        - The times are local.
        - Heights are in metres above chart datum.

        The office answers questions by email within a working day, and corrections are posted
        on the notice board by the slipway.
        """;

    [Fact]
    public void AMarkdownDocumentIsRefusedWithTheReasonUnlessTheMarkdownFormatIsChosen()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import(PlainDocument, "GUIDE.md"));
        Assert.StartsWith("GUIDE.md: this reads as a Markdown document, not a list of highlights:", ex.Message);
        Assert.Equal(["markdown"], ex.ChooseFormat);

        var chosen = HighlightImporters.Default.Import(PlainDocument, "GUIDE.md", "markdown");
        Assert.Contains(chosen.Highlights, h => h.Text == "Check the local notice board before you rely on any table.");
    }

    [Theory]
    [InlineData("highlights.md")]
    public void TheMarkdownSampleIsStillReadAsHighlights(string sample)
    {
        var result = HighlightImporters.Default.ImportFile(Path.Combine(TestFiles.RepoRoot, "samples", sample));
        Assert.Equal("markdown", result.Format);
        Assert.True(result.Highlights.Count >= 8, $"{result.Highlights.Count} highlights");
    }

    [Fact]
    public void TheProjectsOwnReadmeIsADocument()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.ImportFile(Path.Combine(TestFiles.RepoRoot, "README.md")));
        Assert.Contains("reads as a Markdown document", ex.Message);
    }

    [Fact]
    public void AReadwiseMarkdownExportAndAQuoteListWithSourcesAreStillHighlights()
    {
        const string readwise = """
            # The Harbour Book

            ![rw-book-cover](https://example.com/cover.jpg)

            ## Metadata
            - Author: [[Ines Duarte]]
            - Full Title: The Harbour Book
            - Category: #books

            ## Highlights
            - Salt gets into the ledgers before it gets into the walls. ([Location 120](https://readwise.io/to_kindle?action=open&asin=B0&location=120))
            - Walls remember storms that the harbour master forgot. ([Location 311](https://readwise.io/to_kindle?action=open&asin=B0&location=311))
            """;
        Assert.Equal("markdown", HighlightImporters.Default.Import(readwise, "The Harbour Book.md").Format);

        const string quotes = """
            # The Harbour Book
            Author: Ines Duarte

            > Salt gets into the ledgers before it gets into the walls.

            > Walls remember storms that the harbour master forgot,
            > and the ledgers remember the rest.

            Note: compare with the customs records.
            """;
        Assert.Equal(2, HighlightImporters.Default.Import(quotes, "harbour.md").Highlights.Count);
    }

    [Fact]
    public void JsonOfNoKnownShapeCannotBeDetected()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("{\"id\": 1, \"items\": []}", "other.json"));
        Assert.Contains("other.json: cannot tell the format", ex.Message);
    }

    [Fact]
    public void AMissingFileIsAnImportErrorNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hatch-missing-{Guid.NewGuid():N}.txt");
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.ImportFile(path));
        Assert.StartsWith(path + ": cannot read the file", ex.Message);
    }

    [Fact]
    public void AnEmptyFileCannotBeDetected()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("\uFEFF  \r\n", "empty.txt"));
        Assert.Contains("cannot tell the format", ex.Message);
    }

    [Fact]
    public void AnUnknownFormatNameListsTheValidOnes()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("x", "a.txt", "pocket"));
        Assert.Contains("unknown format 'pocket'", ex.Message);
        Assert.Contains("auto, kindle, readwise, glasp, hypothesis, json, markdown", ex.Message);
    }

    [Fact]
    public void AnExplicitFormatIsUsedEvenWhenAnotherWouldBeDetected()
    {
        // A Markdown list that also happens to be valid input for nobody else: forced through the Markdown reader.
        var result = HighlightImporters.Default.Import("- one\n- two\n", "list.txt", "MARKDOWN");
        Assert.Equal("markdown", result.Format);
        Assert.Equal(2, result.Highlights.Count);
    }

    [Fact]
    public void DuplicatesAreCountedAndKeptOnceWithTheFirstNote()
    {
        var content = """
            Highlight,Book Title,Book Author,Note,Tags
            Try one change at a time.,Small Hinges,Tomasz Wren,,habits
            "  Try one   change at a time.  ",Small Hinges,Tomasz Wren,Start with the phone.,Habits
            Try one change at a time.,A Different Book,Someone Else,,
            Never miss twice.,Small Hinges,Tomasz Wren,,
            """;
        var result = HighlightImporters.Default.Import(content, "dupes.csv");
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(3, result.Highlights.Count);
        var kept = result.Highlights[0];
        Assert.Equal("Try one change at a time.", kept.Text);
        Assert.Equal("Start with the phone.", kept.Note);
    }

    [Fact]
    public void TextIsTrimmedTagsAreTidiedAndBlankNotesDropped()
    {
        var content = "Highlight,Book Title,Note,Tags,Document tags\n\"  Padded text.  \",Book,\"   \",\" focus , Focus,,habits \",FOCUS\n";
        var highlight = Assert.Single(HighlightImporters.Default.Import(content, "tidy.csv").Highlights);
        Assert.Equal("Padded text.", highlight.Text);
        Assert.Null(highlight.Note);
        Assert.Equal(["focus", "habits"], highlight.Tags);
    }

    [Fact]
    public void WithoutStrictRejectionsAreReturnedAndWithStrictTheyThrow()
    {
        var content = "Highlight,Book Title\nGood,Book\n,Book\n";
        var lenient = HighlightImporters.Default.Import(content, "mixed.csv");
        Assert.Single(lenient.Highlights);
        Assert.Equal(3, Assert.Single(lenient.Rejected).Line);

        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import(content, "mixed.csv", strict: true));
        Assert.Contains("1 record was rejected", ex.Message);
        Assert.Contains("mixed.csv:3: missing highlight text", ex.Issues.Select(i => i.ToString()));
    }

    [Fact]
    public void StrictModeWithNothingWrongImportsNormally()
    {
        var result = HighlightImporters.Default.ImportFile(TestFiles.SamplePath("readwise.csv"), strict: true);
        Assert.Equal(25, result.Highlights.Count);
    }
}
