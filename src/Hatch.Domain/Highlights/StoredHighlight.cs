namespace Hatch.Domain.Highlights;

/// <summary>A highlight in a user's library. At most one per user and content hash.</summary>
public sealed class StoredHighlight
{
    public const char TagSeparator = '|';

    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public required string ContentHash { get; set; }
    public required string Text { get; set; }
    public string? Note { get; set; }
    public required string SourceTitle { get; set; }
    public string? SourceAuthor { get; set; }
    public string? SourceUrl { get; set; }
    public string? Page { get; set; }
    public string? Location { get; set; }
    public int? Offset { get; set; }
    /// <summary>"|tag one|tag two|", so one LIKE finds a whole tag on every provider.</summary>
    public string Tags { get; set; } = "";
    public string? Color { get; set; }
    public DateTimeOffset? HighlightedAt { get; set; }

    /// <summary>As <see cref="Highlight.HighlightedAtIsLocal"/>: <see cref="HighlightedAt"/> is the device's wall clock, not UTC.</summary>
    public bool HighlightedAtIsLocal { get; set; }

    /// <summary>As <see cref="Highlight.TruncatedByDevice"/>: the device cut the passage short at its clipping limit.</summary>
    public bool TruncatedByDevice { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>
    /// When the service a connection synced it from reported it deleted, for a highlight kept only because a draft
    /// cites it (an article's citations must keep resolving). Null for every other highlight.
    /// </summary>
    public DateTimeOffset? DeletedUpstreamAt { get; set; }

    /// <summary>
    /// When this highlight was compared by meaning with those imported before it (null: not yet, e.g. its vector is
    /// still being computed). Set once by the import or the embedding job, so every import is checked, whatever its size.
    /// </summary>
    public DateTimeOffset? DuplicateCheckedAt { get; set; }

    /// <summary>The earlier highlight this one nearly repeats, when the check found one: reported, never dropped.</summary>
    public Guid? ProbableDuplicateOfId { get; set; }

    /// <summary>The cosine of the two, beside <see cref="ProbableDuplicateOfId"/>.</summary>
    public double? ProbableDuplicateCosine { get; set; }

    public IReadOnlyList<string> TagList =>
        Tags.Split(TagSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string TagKey(string tag) => $"{TagSeparator}{tag.Trim().ToLowerInvariant()}{TagSeparator}";

    public static StoredHighlight From(string userId, Highlight highlight, DateTimeOffset importedAt) => new()
    {
        Id = Guid.CreateVersion7(importedAt),
        UserId = userId,
        ContentHash = highlight.ContentHash,
        Text = highlight.Text,
        Note = highlight.Note,
        SourceTitle = highlight.Source.Title,
        SourceAuthor = highlight.Source.Author,
        SourceUrl = highlight.Source.Url,
        Page = highlight.Location?.Page,
        Location = highlight.Location?.Location,
        Offset = highlight.Location?.Offset,
        // Tags are matched case-insensitively; they are kept lower-case so the match is the same everywhere.
        Tags = highlight.Tags.Count == 0 ? "" :
            TagSeparator + string.Join(TagSeparator, highlight.Tags
                .Select(t => t.Replace(TagSeparator, ' ').Trim().ToLowerInvariant())
                .Where(t => t.Length > 0).Distinct()) + TagSeparator,
        Color = highlight.Color,
        // PostgreSQL stores instants in UTC.
        HighlightedAt = highlight.HighlightedAt?.ToUniversalTime(),
        HighlightedAtIsLocal = highlight.HighlightedAtIsLocal,
        TruncatedByDevice = highlight.TruncatedByDevice,
        ImportedAt = importedAt.ToUniversalTime(),
    };

    public Highlight ToHighlight() => new()
    {
        Text = Text,
        Note = Note,
        Source = new HighlightSource(SourceTitle, SourceAuthor, SourceUrl),
        Location = Page is null && Location is null && Offset is null ? null : new HighlightLocation(Page, Location, Offset),
        Tags = TagList,
        Color = Color,
        HighlightedAt = HighlightedAt,
        HighlightedAtIsLocal = HighlightedAtIsLocal,
        TruncatedByDevice = TruncatedByDevice,
    };
}
