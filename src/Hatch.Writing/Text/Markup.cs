using System.Text.RegularExpressions;

namespace Hatch.Writing.Text;

/// <summary>
/// Markup pasted into a highlight (a script tag, an HTML fragment, a link) is not the reader's prose: the writer
/// neither quotes it nor names a theme after it.
/// </summary>
public static partial class Markup
{
    /// <summary>True when the text carries HTML tags, entities or script-capable links.</summary>
    public static bool Contains(string text) => MarkupPattern().IsMatch(text);

    /// <summary>The text without tags (and without what script and style elements hold), for counting words.</summary>
    public static string Strip(string text) =>
        Tag().Replace(ScriptOrStyle().Replace(text, " "), " ");

    [GeneratedRegex(@"</?[a-z][a-z0-9]*\b[^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);|\b(?:javascript|vbscript|data):|\bon[a-z]+\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MarkupPattern();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"</?[a-z][a-z0-9]*\b[^>]*>?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Tag();
}
