using Hatch.Domain.Highlights;

namespace Hatch.Data;

/// <summary>How a person narrows their highlight list: words, one source, one tag, a date range (by highlighted date).</summary>
public sealed record HighlightFilter(string? Q = null, string? Source = null, string? Tag = null, DateOnly? From = null, DateOnly? To = null)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Q) && string.IsNullOrWhiteSpace(Source) && string.IsNullOrWhiteSpace(Tag) && From is null && To is null;
}

public static class HighlightQueries
{
    public static IQueryable<StoredHighlight> Matching(this IQueryable<StoredHighlight> highlights, HighlightFilter filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var q = filter.Q.Trim().ToLowerInvariant();
            highlights = highlights.Where(h => h.Text.ToLower().Contains(q)
                || (h.Note != null && h.Note.ToLower().Contains(q))
                || h.SourceTitle.ToLower().Contains(q)
                || (h.SourceAuthor != null && h.SourceAuthor.ToLower().Contains(q)));
        }
        if (!string.IsNullOrWhiteSpace(filter.Source))
            highlights = highlights.Where(h => h.SourceTitle == filter.Source);
        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            var key = StoredHighlight.TagKey(filter.Tag);
            highlights = highlights.Where(h => h.Tags.Contains(key));
        }
        if (filter.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            highlights = highlights.Where(h => h.HighlightedAt >= start);
        }
        if (filter.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            highlights = highlights.Where(h => h.HighlightedAt < end);
        }
        return highlights;
    }

    /// <summary>Reading order: by source, then position in it.</summary>
    public static IOrderedQueryable<StoredHighlight> InReadingOrder(this IQueryable<StoredHighlight> highlights) =>
        highlights.OrderBy(h => h.SourceTitle).ThenBy(h => h.Offset).ThenBy(h => h.HighlightedAt).ThenBy(h => h.Id);
}
