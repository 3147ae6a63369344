namespace Hatch.Domain.Highlights;

/// <summary>
/// A reader's note on a book or page that annotates no highlight (a Kindle note with no highlight at its location, a
/// Hypothesis page note), kept in the library beside the highlights but never counted or hatched as one. At most one
/// per user, source, place and text, so importing the same export again stores nothing twice.
/// </summary>
public sealed class StoredSourceNote
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public required string ContentHash { get; set; }
    public required string Text { get; set; }
    public required string SourceTitle { get; set; }
    public string? SourceAuthor { get; set; }
    public string? SourceUrl { get; set; }
    public string? Page { get; set; }
    public string? Location { get; set; }
    public int? Offset { get; set; }
    public DateTimeOffset? WrittenAt { get; set; }

    /// <summary>As <see cref="Highlight.HighlightedAtIsLocal"/>: <see cref="WrittenAt"/> is the device's wall clock, not UTC.</summary>
    public bool WrittenAtIsLocal { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>
    /// The note's identity: its text, source and place. The place is part of it (unlike a highlight's) because the
    /// same short note ("!", "revisit") is often written at many places in one book.
    /// </summary>
    public static string ComputeContentHash(SourceNote note) =>
        Highlight.ComputeContentHash($"{note.Text}\n@{note.Location}", note.Source.Title);

    public static StoredSourceNote From(string userId, SourceNote note, DateTimeOffset importedAt) => new()
    {
        Id = Guid.CreateVersion7(importedAt),
        UserId = userId,
        ContentHash = ComputeContentHash(note),
        Text = note.Text,
        SourceTitle = note.Source.Title,
        SourceAuthor = note.Source.Author,
        SourceUrl = note.Source.Url,
        Page = note.Location?.Page,
        Location = note.Location?.Location,
        Offset = note.Location?.Offset,
        // PostgreSQL stores instants in UTC.
        WrittenAt = note.WrittenAt?.ToUniversalTime(),
        WrittenAtIsLocal = note.WrittenAtIsLocal,
        ImportedAt = importedAt.ToUniversalTime(),
    };

    public SourceNote ToSourceNote() => new(
        new HighlightSource(SourceTitle, SourceAuthor, SourceUrl),
        Text,
        Page is null && Location is null && Offset is null ? null : new HighlightLocation(Page, Location, Offset),
        WrittenAt) { WrittenAtIsLocal = WrittenAtIsLocal };
}
