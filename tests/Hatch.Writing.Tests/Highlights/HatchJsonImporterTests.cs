using System.Text.Json;
using Hatch.Domain.Highlights;
using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

public sealed class HatchJsonImporterTests
{
    private static readonly Highlight[] Written =
    [
        new()
        {
            Text = "Write the bad first draft quickly.",
            Note = "Timebox it to 25 minutes.",
            Source = new HighlightSource("Draft Zero", "Ines Calloway", "https://example.com/draft-zero"),
            Location = new HighlightLocation("2", "25-27"),
            Tags = ["writing", "drafts"],
            Color = "yellow",
            HighlightedAt = new DateTimeOffset(2024, 6, 1, 16, 45, 2, TimeSpan.FromHours(2)),
        },
        new()
        {
            Text = "Attention is a budget.",
            Source = new HighlightSource("Focus Field Guide", Url: "https://example.org/focus"),
            Location = new HighlightLocation(Offset: 3412),
        },
    ];

    [Fact]
    public void WhatHatchWritesWithWebDefaultsReadsBackTheSame()
    {
        var json = JsonSerializer.Serialize(Written, JsonSerializerOptions.Web);
        Assert.Contains("\"highlightedAt\"", json); // camelCase, and computed members like contentHash are in the file too
        var result = HighlightImporters.Default.Import(json, "export.json");
        Assert.Equal("json", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(2, result.Highlights.Count);
        AssertSame(Written[0], result.Highlights[0]);
        AssertSame(Written[1], result.Highlights[1]);
    }

    [Fact]
    public void AnObjectWithAHighlightsArrayIsReadToo()
    {
        var json = JsonSerializer.Serialize(new { highlights = Written }, JsonSerializerOptions.Web);
        var result = HighlightImporters.Default.Import(json, "wrapped.json");
        Assert.Equal("json", result.Format);
        Assert.Equal(2, result.Highlights.Count);
    }

    [Fact]
    public void BadHighlightsAreReportedAtTheirJsonPathWhileTheGoodOnesImport()
    {
        var result = TestFiles.ImportData("hatch-with-errors.json");
        Assert.Equal(4, result.Rejected.Count);
        Assert.Equal(["Write the bad first draft quickly.", "Plain string sources are titles."], result.Highlights.Select(h => h.Text));

        Assert.Equal(((int?)10, "missing highlight text"), Issue(result, "$[1]"));
        Assert.Equal(14, Issue(result, "$[2]").Line);
        Assert.Contains("$[2].location.offset should be a whole number, not 'near the end'", Issue(result, "$[2]").Message);
        Assert.Contains("date 'not a date' is not a date", Issue(result, "$[3]").Message);
        Assert.Equal(((int?)24, "expected a highlight object, found a string"), Issue(result, "$[4]"));
    }

    [Fact]
    public void NumbersWhereStringsBelongAreAcceptedAndTagsAreTidied()
    {
        var draft = TestFiles.ImportData("hatch-with-errors.json").Highlights[0];
        Assert.Equal("2", draft.Location?.Page);
        Assert.Equal(["writing", "drafts"], draft.Tags);
        Assert.Null(draft.Note);
    }

    [Fact]
    public void TheSampleImportsCleanly()
    {
        var result = TestFiles.ImportSample("highlights.json");
        Assert.Equal("json", result.Format);
        Assert.Empty(result.Rejected);
        Assert.Equal(11, result.Highlights.Count);
        Assert.Contains(result.Highlights, h => h.Location?.Offset == 3412);
    }

    [Fact]
    public void MalformedJsonNamesTheLine()
    {
        var ex = Assert.Throws<ImportException>(() => HighlightImporters.Default.Import("[\n  {\"text\": \"a\"},\n  {\"text\": }\n]", "hand-edited.json", "json"));
        Assert.StartsWith("hand-edited.json:3:", ex.Message);
    }

    private static (int? Line, string Message) Issue(ImportResult result, string path)
    {
        var issue = Assert.Single(result.Rejected, i => i.JsonPath == path);
        Assert.Equal("hatch-with-errors.json", issue.File);
        return (issue.Line, issue.Message);
    }

    private static void AssertSame(Highlight expected, Highlight actual)
    {
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Note, actual.Note);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Location, actual.Location);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Color, actual.Color);
        Assert.Equal(expected.HighlightedAt, actual.HighlightedAt);
        Assert.Equal(expected.HighlightedAt?.Offset, actual.HighlightedAt?.Offset);
        Assert.Equal(expected.ContentHash, actual.ContentHash);
    }
}
