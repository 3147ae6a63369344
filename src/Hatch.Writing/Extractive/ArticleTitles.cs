namespace Hatch.Writing.Extractive;

/// <summary>
/// Titles the extractive article by the thread that joins its sections and the path the sections take: the
/// thread first, then where the article starts and where it arrives, since sections are ordered so that each
/// leads to the next. Shorter forms are tried when a title runs long; the first heading is always named.
/// </summary>
public static class ArticleTitles
{
    public const int MaxLength = 80;

    /// <param name="thread">The phrase that the most sections share, nearest the whole reading's meaning.</param>
    /// <param name="headings">Section headings in article order.</param>
    public static string Compose(string thread, IReadOnlyList<string> headings, bool single)
    {
        var threadName = ExtractiveComposer.TitleCase(thread);
        if (headings.Count == 0) return threadName.Length == 0 ? "Notes From Your Reading" : threadName;
        if (single) return $"{headings[0]}: Notes on a Single Highlight";
        return Candidates(threadName, headings).FirstOrDefault(t => t.Length <= MaxLength) ?? headings[0];
    }

    private static IEnumerable<string> Candidates(string thread, IReadOnlyList<string> headings)
    {
        var first = headings[0];
        var last = headings[^1];
        var threadWords = thread.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var threadIsAHeading = headings.Any(h => h.Split(' ').Intersect(threadWords, StringComparer.OrdinalIgnoreCase).Any());
        if (headings.Count >= 2)
        {
            if (!threadIsAHeading) yield return $"{thread}: From {first} to {last}";
            yield return $"{first} to {last}: {(threadIsAHeading ? "One Thread Through Your Reading" : $"The Thread of {thread}")}";
            yield return $"From {first} to {last}";
        }
        else if (!threadIsAHeading)
            yield return $"{thread} and {first}";
        yield return first;
    }
}
