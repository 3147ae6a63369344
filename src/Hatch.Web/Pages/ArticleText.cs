using System.Text.RegularExpressions;

namespace Hatch.Web.Pages;

/// <summary>
/// How the article partial lays text out: paragraphs, and the inline [n] markers turned into links to the sources.
/// Shared by the draft, revision and public pages.
/// </summary>
public static partial class ArticleText
{
    /// <summary>A run of text or a citation marker; the page encodes the text and links the numbers.</summary>
    public sealed record Segment(string? Text, IReadOnlyList<int>? Citations);

    public static IEnumerable<string> Paragraphs(string text) =>
        ParagraphBreak().Split(text.Replace("\r\n", "\n")).Select(p => p.Trim()).Where(p => p.Length > 0);

    /// <summary>Splits text at its inline [n] / [n, m] markers; appends the item's citations when the text has none.</summary>
    public static IReadOnlyList<Segment> Segments(string text, IReadOnlyList<int>? citations = null)
    {
        var segments = new List<Segment>();
        var last = 0;
        foreach (Match m in Citation().Matches(text))
        {
            // "like them [1]." reads as "like them¹." : the space before a marker goes.
            if (m.Index > last) segments.Add(new Segment(text[last..m.Index].TrimEnd(), null));
            segments.Add(new Segment(null, m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => int.TryParse(n, out var v) ? v : -1).Where(v => v > 0).ToArray()));
            last = m.Index + m.Length;
        }
        if (last < text.Length) segments.Add(new Segment(text[last..], null));
        if (citations is { Count: > 0 } && !segments.Any(s => s.Citations is not null))
        {
            if (segments is [.., { Text: { } tail }]) segments[^1] = new Segment(tail.TrimEnd(), null);
            segments.Add(new Segment(null, citations.Distinct().Order().ToArray()));
        }
        return segments;
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Citation();
}
