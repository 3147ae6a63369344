using Hatch.Domain.Articles;

namespace Hatch.Writing.Hatching;

/// <summary>A section's new body, the citations it rests on, and how it was made.</summary>
public sealed record RevisedSection(string Body, IReadOnlyList<int> Citations, DraftProvenance Provenance);

/// <summary>
/// Rewrites one section of a draft as an editor asks. The seam between the review jobs and the model (Hatch.Llm's
/// <c>SectionReviser</c>), like <see cref="IArticleWriter"/> for whole articles. Failures are
/// <see cref="ArticleWriterException"/>s with a reason a person can act on.
/// </summary>
public interface ISectionReviser
{
    /// <summary>False when no model is configured: revising then needs a person.</summary>
    bool IsAvailable { get; }

    Task<RevisedSection> ReviseAsync(
        ArticleSection section, string instruction, string language, IReadOnlyList<NumberedHighlight> highlights, CancellationToken cancellationToken);
}
