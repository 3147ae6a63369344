using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Hatch.Web.Review;

/// <summary>One line of an inline diff: " " unchanged, "+" inserted, "-" deleted.</summary>
public sealed record DiffLine(string Change, string Text, int? OldNumber, int? NewNumber);

/// <summary>Line diffs of two revisions' Markdown with DiffPlex, shown inline on the page and in the API.</summary>
public static class RevisionDiff
{
    public static IReadOnlyList<DiffLine> Inline(string? previous, string current)
    {
        var model = InlineDiffBuilder.Diff(previous ?? "", current, ignoreWhiteSpace: false);
        var lines = new List<DiffLine>(model.Lines.Count);
        int oldLine = 0, newLine = 0;
        foreach (var line in model.Lines)
        {
            switch (line.Type)
            {
                case ChangeType.Inserted:
                    lines.Add(new DiffLine("+", line.Text, null, ++newLine));
                    break;
                case ChangeType.Deleted:
                    lines.Add(new DiffLine("-", line.Text, ++oldLine, null));
                    break;
                case ChangeType.Imaginary:
                    break;
                default:
                    lines.Add(new DiffLine(" ", line.Text, ++oldLine, ++newLine));
                    break;
            }
        }
        return lines;
    }

    /// <summary>Only the changed lines and <paramref name="context"/> lines around them; null marks a gap.</summary>
    public static IReadOnlyList<DiffLine?> Hunks(IReadOnlyList<DiffLine> lines, int context = 2)
    {
        var keep = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Change != " ")
                for (var j = Math.Max(0, i - context); j <= Math.Min(lines.Count - 1, i + context); j++) keep[j] = true;
        var result = new List<DiffLine?>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (keep[i]) result.Add(lines[i]);
            else if (result.Count > 0 && result[^1] is not null) result.Add(null);
        }
        if (result.Count > 0 && result[^1] is null) result.RemoveAt(result.Count - 1);
        return result;
    }
}
