using System.Text.Json;
using Hatch.Core.Domain;
using Hatch.Core.Rendering;

namespace Hatch.Core.Data;

/// <summary>The review workflow's states; drafts are created as Draft.</summary>
public enum DraftStatus { Draft, Submitted, Approved, Rejected, Published }

/// <summary>The stored result of one hatch request: exactly one per request.</summary>
public sealed class StoredDraft
{
    public Guid Id { get; set; }
    public Guid RequestId { get; set; }
    public required string UserId { get; set; }
    public required string Title { get; set; }
    public required string ArticleJson { get; set; }
    public required string Markdown { get; set; }
    public required string ProvenanceJson { get; set; }
    public string? AuthorName { get; set; }
    public string Language { get; set; } = "en";
    public DraftStatus Status { get; set; } = DraftStatus.Draft;
    public DateTimeOffset CreatedAt { get; set; }
    public List<DraftHighlight> Highlights { get; set; } = [];

    public static StoredDraft From(HatchRequest request, DraftDocument document, IReadOnlyDictionary<string, Guid> highlightIdsByHash, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        return new StoredDraft
        {
            Id = id,
            RequestId = request.Id,
            UserId = request.UserId,
            Title = document.Article.Title,
            ArticleJson = JsonSerializer.Serialize(document.Article, DraftRenderer.JsonOptions),
            Markdown = DraftRenderer.Markdown(document),
            ProvenanceJson = JsonSerializer.Serialize(document.Provenance, DraftRenderer.JsonOptions),
            AuthorName = document.AuthorName,
            Language = document.Language,
            CreatedAt = now.ToUniversalTime(),
            Highlights = document.Highlights
                .Select(h => new DraftHighlight { DraftId = id, Number = h.Number, HighlightId = highlightIdsByHash[h.Highlight.ContentHash] })
                .ToList(),
        };
    }

    public Article Article => JsonSerializer.Deserialize<Article>(ArticleJson, DraftRenderer.JsonOptions)
        ?? throw new InvalidDataException($"Draft {Id} has no article.");

    public DraftProvenance Provenance => JsonSerializer.Deserialize<DraftProvenance>(ProvenanceJson, DraftRenderer.JsonOptions)
        ?? throw new InvalidDataException($"Draft {Id} has no provenance.");

    /// <summary>The draft as the renderer wants it; <see cref="Highlights"/> must be loaded with their highlights.</summary>
    public DraftDocument ToDocument() => new(
        Article,
        Highlights.OrderBy(h => h.Number).Select(h => new NumberedHighlight(h.Number, h.Highlight!.ToHighlight())).ToArray(),
        Provenance,
        AuthorName,
        Language);
}

/// <summary>A highlight given to a draft's writer, with the number the draft cites it by.</summary>
public sealed class DraftHighlight
{
    public Guid DraftId { get; set; }
    public int Number { get; set; }
    public Guid HighlightId { get; set; }
    public StoredHighlight? Highlight { get; set; }
}
