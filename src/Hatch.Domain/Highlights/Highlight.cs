using System.Security.Cryptography;
using System.Text;

namespace Hatch.Domain.Highlights;

/// <summary>Where a highlight came from: a book, an article, a web page.</summary>
public sealed record HighlightSource(string Title, string? Author = null, string? Url = null)
{
    public static HighlightSource Unknown { get; } = new("Untitled");
}

/// <summary>
/// The position of a highlight as its source gives it. Kindle gives a page and a location range,
/// Readwise a typed location, the web a character offset; all are kept as given so they can be shown back.
/// </summary>
public sealed record HighlightLocation(string? Page = null, string? Location = null, int? Offset = null)
{
    public bool IsEmpty => Page is null && Location is null && Offset is null;

    public override string ToString()
    {
        var parts = new List<string>(3);
        if (Page is not null) parts.Add($"p. {Page}");
        // A typed location that is not a number ("order 3", a podcast's "0:01:35") already says what it is.
        if (Location is not null) parts.Add(Location.Length > 0 && char.IsAsciiDigit(Location[0]) ? $"loc. {Location}" : Location);
        if (Offset is not null) parts.Add($"offset {Offset}");
        return string.Join(", ", parts);
    }
}

/// <summary>A passage a reader marked, with the reader's own note if any.</summary>
public sealed record Highlight
{
    public required string Text { get; init; }
    public string? Note { get; init; }
    public required HighlightSource Source { get; init; }
    public HighlightLocation? Location { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Color { get; init; }
    public DateTimeOffset? HighlightedAt { get; init; }

    /// <summary>
    /// True when <see cref="HighlightedAt"/> is the wall-clock time a device showed, with no time zone in the file
    /// (a Kindle without a GMT offset): its offset of zero is a placeholder, not UTC.
    /// </summary>
    public bool HighlightedAtIsLocal { get; init; }

    /// <summary>
    /// The device cut the passage short (Kindle's clipping limit for a book): the text is what it kept, or only its
    /// message when it kept nothing. Kept so the reader knows the passage exists, flagged so nobody takes it as whole.
    /// </summary>
    public bool TruncatedByDevice { get; init; }

    /// <summary>
    /// Stable identity for de-duplication: the same passage from the same source hashes the same
    /// whatever the exporter did to whitespace, case or Unicode normalization. Notes, tags and
    /// timestamps are deliberately left out so that re-importing an edited export is still a duplicate.
    /// </summary>
    public string ContentHash => ComputeContentHash(Text, Source.Title);

    public static string ComputeContentHash(string text, string sourceTitle)
    {
        var canonical = $"v1\n{Canonicalize(text)}\n{Canonicalize(sourceTitle)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Canonicalize(string value)
    {
        // ASCII is already in every normal form; skipping the call matters on imports of 100,000 clippings.
        var normalized = System.Text.Ascii.IsValid(value) ? value : value.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(normalized.Length);
        var pendingSpace = false;
        foreach (var ch in normalized)
        {
            if (char.IsWhiteSpace(ch))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(char.ToLowerInvariant(ch));
        }
        return builder.ToString();
    }
}
