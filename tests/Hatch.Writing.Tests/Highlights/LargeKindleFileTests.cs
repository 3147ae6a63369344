using System.Text;
using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>
/// A large clippings file is read on every core (its metadata lines and hashes in parallel); what it yields must be
/// exactly what reading the same clippings in small files, on one thread, yields.
/// </summary>
public sealed class LargeKindleFileTests
{
    private static readonly string[] Headers =
    [
        "- Your Highlight on page {p} | Location {s}-{e} | Added on Sunday, 3 March 2024 14:05:{ss}",
        "- Ihre Markierung bei Position {s}-{e} | Hinzugefügt am Dienstag, 9. Dezember 2014 07:12:{ss}",
        "- 位置No. {s}-{e}のハイライト |作成日: 2021年9月14日火曜日 06:55:{ss}",
        "- Your Note on Location {e} | Added on Sunday, 3 March 2024 14:06:{ss}",
        "- Your Bookmark on Location {s} | Added on Sunday, 3 March 2024 14:07:{ss}",
        "- Votre surlignement sur la page {p} | emplacement {s}-{e} | Ajouté le mercredi 9 juillet 2025 21:14:{ss}",
    ];

    private static string Clippings(int from, int count)
    {
        var file = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            var header = Headers[i % Headers.Length].Replace("{p}", (i / 10 + 1).ToString()).Replace("{s}", (i * 10).ToString())
                .Replace("{e}", (i * 10 + 3).ToString()).Replace("{ss}", (i % 60).ToString("00"));
            var text = header.Contains("Bookmark") ? "" : header.Contains("Note") ? $"Note {i}." : $"Passage {i} about tides and ledgers.";
            file.Append($"\uFEFFBook {i % 7} (Writer {i % 7})\r\n{header}\r\n\r\n{text}\r\n==========\r\n");
        }
        return file.ToString();
    }

    [Fact]
    public void AFileReadInParallelGivesWhatItsPartsGiveReadOneByOne()
    {
        const int Count = 12_000;
        var importers = HighlightImporters.Default;
        var whole = importers.Import(Clippings(0, Count), "My Clippings.txt");
        var parts = Enumerable.Range(0, 6).Select(k => importers.Import(Clippings(k * Count / 6, Count / 6), "My Clippings.txt")).ToList();

        Assert.Equal(Count / 6 * 4, whole.Highlights.Count); // four of six headers are highlights, each with its own text
        Assert.Equal(parts.Sum(p => p.Highlights.Count), whole.Highlights.Count);
        Assert.Equal(parts.Sum(p => p.Bookmarks), whole.Bookmarks);
        Assert.Equal(parts.Sum(p => p.Notes), whole.Notes);
        Assert.Equal(
            parts.SelectMany(p => p.Highlights).Select(h => (h.Text, h.Note, h.Source.Title, h.Location?.ToString(), h.HighlightedAt)),
            whole.Highlights.Select(h => (h.Text, h.Note, h.Source.Title, h.Location?.ToString(), h.HighlightedAt)));
        Assert.Empty(whole.Rejected);
        Assert.Empty(whole.Warnings);
    }
}
