using System.Buffers.Text;
using System.Text.Json;
using Hatch.Domain.Highlights;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>
    /// Reading order: by source, then position in it, highlights without a position or date after those with one
    /// on every provider (PostgreSQL and SQLite sort nulls at opposite ends, which a keyset cursor cannot follow).
    /// </summary>
    /// <remarks>
    /// The stand-ins are SQL literals (<see cref="EF.Constant{T}"/>), never parameters, so the expressions match
    /// those of <see cref="ReadingOrderIndex"/> and a page is read from the index instead of sorting the library.
    /// </remarks>
    public static IOrderedQueryable<StoredHighlight> InReadingOrder(this IQueryable<StoredHighlight> highlights) =>
        highlights.OrderBy(h => h.SourceTitle)
            .ThenBy(h => h.Offset ?? EF.Constant(ReadingCursor.NoOffset))
            .ThenBy(h => h.HighlightedAt ?? EF.Constant(ReadingCursor.NoDate))
            .ThenBy(h => h.Id);

    /// <summary>The highlights after <paramref name="cursor"/> in <see cref="InReadingOrder"/>.</summary>
    public static IQueryable<StoredHighlight> After(this IQueryable<StoredHighlight> highlights, ReadingCursor cursor)
    {
        var (source, offset, at, id) = (cursor.Source, cursor.Offset, cursor.At, cursor.Id);
        // The first condition is implied by the rest; it is there to give the index a start (this source) rather
        // than scanning every earlier source's highlights and filtering them out.
        return highlights.Where(h => string.Compare(h.SourceTitle, source) >= 0 && (
            string.Compare(h.SourceTitle, source) > 0
            || (h.SourceTitle == source && ((h.Offset ?? EF.Constant(ReadingCursor.NoOffset)) > offset
                || ((h.Offset ?? EF.Constant(ReadingCursor.NoOffset)) == offset && ((h.HighlightedAt ?? EF.Constant(ReadingCursor.NoDate)) > at
                    || ((h.HighlightedAt ?? EF.Constant(ReadingCursor.NoDate)) == at && h.Id.CompareTo(id) > 0)))))));
    }

    /// <summary>
    /// One page in reading order after <paramref name="after"/> (from the start when null), and the cursor of the
    /// next page (null on the last). Keyset paging: a page far into a large library costs what the first costs, and
    /// highlights imported meanwhile never shift a page nor show one twice.
    /// </summary>
    public static async Task<(IReadOnlyList<StoredHighlight> Items, ReadingCursor? Next)> PageInReadingOrderAsync(
        this IQueryable<StoredHighlight> highlights, ReadingCursor? after, int size, CancellationToken cancellationToken)
    {
        var rows = await (after is null ? highlights : highlights.After(after)).InReadingOrder().Take(size + 1).ToListAsync(cancellationToken);
        if (rows.Count <= size) return (rows, null);
        rows.RemoveAt(size);
        return (rows, ReadingCursor.Of(rows[^1]));
    }
}

/// <summary>A position in <see cref="HighlightQueries.InReadingOrder"/>: the sort key of the last highlight shown.</summary>
public sealed record ReadingCursor(string Source, int Offset, DateTimeOffset At, Guid Id)
{
    /// <summary>Stands for "no position": sorts after every real one.</summary>
    public const int NoOffset = int.MaxValue;

    /// <summary>Stands for "no date": sorts after every real one, and fits both providers' date types.</summary>
    public static readonly DateTimeOffset NoDate = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public static ReadingCursor Of(StoredHighlight h) => new(h.SourceTitle, h.Offset ?? NoOffset, h.HighlightedAt ?? NoDate, h.Id);

    /// <summary>An opaque token for a URL (base64url of the key).</summary>
    public string Encode() =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Key(Source, Offset, At.UtcTicks, Id)));

    /// <summary>The cursor in <paramref name="token"/>, or null when it is not one this service wrote.</summary>
    public static ReadingCursor? Decode(string token)
    {
        try
        {
            var key = JsonSerializer.Deserialize<Key>(Base64Url.DecodeFromChars(token));
            return key?.S is null ? null : new ReadingCursor(key.S, key.O, new DateTimeOffset(key.T, TimeSpan.Zero), key.I);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private sealed record Key(string S, int O, long T, Guid I);
}
