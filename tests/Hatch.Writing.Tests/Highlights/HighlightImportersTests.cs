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
        Assert.Equal("notes.txt: cannot tell the format; use --format kindle|readwise|glasp|hypothesis|json|markdown", ex.Message);
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
        Assert.Contains("mixed.csv:3: missing highlight text", ex.Message);
    }

    [Fact]
    public void StrictModeWithNothingWrongImportsNormally()
    {
        var result = HighlightImporters.Default.ImportFile(TestFiles.SamplePath("readwise.csv"), strict: true);
        Assert.Equal(25, result.Highlights.Count);
    }
}
