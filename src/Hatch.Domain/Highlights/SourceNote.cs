namespace Hatch.Domain.Highlights;

/// <summary>
/// A reader's note that annotates no passage: a Kindle note with no highlight at its location, a Hypothesis page note.
/// It belongs to its book or page, not to a highlight, so it is never counted or hatched as one.
/// </summary>
public sealed record SourceNote(HighlightSource Source, string Text, HighlightLocation? Location = null, DateTimeOffset? WrittenAt = null)
{
    /// <summary>As <see cref="Highlight.HighlightedAtIsLocal"/>: the device's wall-clock time, with no time zone.</summary>
    public bool WrittenAtIsLocal { get; init; }
}
