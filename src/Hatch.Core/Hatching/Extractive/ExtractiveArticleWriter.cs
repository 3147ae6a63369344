using Hatch.Core.Domain;

namespace Hatch.Core.Hatching.Extractive;

/// <summary>Drafts an article offline from the highlights' own sentences.</summary>
public sealed class ExtractiveArticleWriter(TimeProvider time) : IArticleWriter
{
    public const string WriterName = "Extractive";

    public string Name => WriterName;

    public Task<WrittenArticle> WriteAsync(ArticleRequest request, CancellationToken cancellationToken = default)
    {
        _ = time;
        throw new InvalidOperationException("placeholder until the extractive writer lands");
    }
}
