namespace Hatch.Data;

/// <summary>
/// Which stored highlight an upstream item became: the service's own id for it (a Readwise highlight id, a Hypothesis
/// annotation id) against the library's row. It is how an item edited upstream updates its highlight here instead of
/// arriving as a new one, since an edit changes the content hash the library de-duplicates by.
/// </summary>
public sealed class SyncedHighlight
{
    public Guid ConnectionId { get; set; }
    public required string ExternalId { get; set; }
    public Guid HighlightId { get; set; }
}

/// <summary>
/// Which stored page note (<c>source_notes</c>) an upstream item became: a Hypothesis page note's annotation id against
/// the library's note. A note's identity is its text, so without this an edited page note would arrive as a second
/// note; with it the edit replaces the stored note's text, and a page note deleted upstream can be found and removed.
/// </summary>
public sealed class SyncedNote
{
    public Guid ConnectionId { get; set; }
    public required string ExternalId { get; set; }
    public Guid SourceNoteId { get; set; }
}

/// <summary>
/// One ASP.NET Core Data Protection key ring element, kept in the database so every web and worker process of a
/// deployment reads the same keys and can decrypt what another encrypted (connection tokens, sign-in tokens).
/// </summary>
public sealed class DataProtectionKeyRow
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}
