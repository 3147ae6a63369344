using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Titles the extractive article by the thread that joins its sections and the path the sections take: the
/// thread first, then where the article starts and where it arrives, since sections are ordered so that each
/// leads to the next; without a thread, by its sections in order. Shorter forms are tried when a title runs long;
/// the first heading is always named.
/// </summary>
public static class ArticleTitles
{
    public const int MaxLength = 80;

    /// <param name="thread">The phrase that the most sections share, nearest the whole reading's meaning; null when none does.</param>
    /// <param name="headings">Section headings in article order.</param>
    /// <param name="claim">A clause from the passage nearest the whole reading, which the title states; null when none stands alone.</param>
    public static string Compose(string? thread, IReadOnlyList<string> headings, bool single, string? claim = null)
    {
        var threadName = ExtractiveComposer.TitleCase(thread ?? "");
        if (claim is not null && !single)
        {
            // The title states the idea nearest the whole reading, in the reader's words, and names the thread first
            // when one runs through the sections and the clause does not already say it.
            var stated = Claims.TitleCase(claim);
            var withThread = $"{threadName}: {stated}";
            if (threadName.Length > 0 && !stated.Contains(threadName, StringComparison.OrdinalIgnoreCase) && withThread.Length <= MaxLength) return withThread;
            if (stated.Length <= MaxLength) return stated;
        }
        if (headings.Count == 0) return threadName.Length == 0 ? "Notes From Your Reading" : threadName;
        if (single) return $"{headings[0]}: Notes on a Single Highlight";
        return Candidates(threadName, headings).FirstOrDefault(t => t.Length <= MaxLength) ?? headings[0];
    }

    private static IEnumerable<string> Candidates(string thread, IReadOnlyList<string> headings)
    {
        var first = headings[0];
        var last = headings[^1];
        var threadWords = thread.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var threadIsAHeading = threadWords.Length == 0 || headings.Any(h => h.Split(' ').Intersect(threadWords, StringComparer.OrdinalIgnoreCase).Any());
        if (headings.Count >= 2)
        {
            if (!threadIsAHeading) yield return $"{thread}: From {first} to {last}";
            // Without a thread the sections themselves are the subject: named in order, as a table of contents would.
            for (var n = headings.Count; n >= 2; n--)
                yield return KeyPhrases.JoinList(headings.Take(n).ToArray());
        }
        else if (!threadIsAHeading)
            yield return $"{thread} and {first}";
        yield return first;
    }
}
