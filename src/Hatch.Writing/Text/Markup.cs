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

    /// <summary>Where the first markup in the text starts, or -1.</summary>
    public static int IndexOf(string text) => MarkupPattern().Match(text) is { Success: true } m ? m.Index : -1;

    /// <summary>The text without tags (and without what script and style elements hold), for counting words.</summary>
    public static string Strip(string text) =>
        Tag().Replace(ScriptOrStyle().Replace(text, " "), " ");

    /// <summary>
    /// The reader's prose with pasted markup taken out: entities decoded, script and style elements dropped with
    /// their content, tags, autolinks, reference definitions and links to script-capable schemes removed, other
    /// Markdown links reduced to their text. What is left is words the reader highlighted, never code.
    /// </summary>
    public static string Clean(string text)
    {
        var decoded = System.Net.WebUtility.HtmlDecode(text);
        var cleaned = ScriptOrStyle().Replace(decoded, " ");
        cleaned = ReferenceDefinition().Replace(cleaned, " ");
        cleaned = ScriptLink().Replace(cleaned, " ");
        cleaned = MarkdownLink().Replace(cleaned, "$1");
        cleaned = Tag().Replace(cleaned, " ");
        cleaned = ScriptScheme().Replace(cleaned, " ");
        cleaned = Spaces().Replace(cleaned, " ");
        return SpaceBeforePunctuation().Replace(cleaned, "$1").Trim();
    }

    [GeneratedRegex(@"\[[^\]\n]*\]\((?:\s*(?:javascript|vbscript|data|file):[^)]*)\)|<(?:javascript|vbscript|data|file):[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptLink();

    [GeneratedRegex(@"\[([^\]\n]*)\]\([^)\s]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(^|\s)\[[^\]\n]+\]:\s*\S+", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"\b(?:javascript|vbscript|data):\S*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptScheme();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\s+([,;:.!?])")]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@"</?[a-z][a-z0-9]*\b[^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);|\b(?:javascript|vbscript|data):|\bon[a-z]+\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MarkupPattern();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"</?[a-z][a-z0-9]*\b[^>]*>?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Tag();
}
