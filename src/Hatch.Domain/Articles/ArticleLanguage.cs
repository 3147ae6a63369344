using System.Globalization;
using System.Text.RegularExpressions;

namespace Hatch.Domain.Articles;

/// <summary>
/// The article's language as a tag .NET knows ("fr", "pt-BR"), from a tag or a language name ("French",
/// "français"). The language goes into the model's system prompt, so only a known tag, made of letters, digits and
/// hyphens, ever does: anything else is refused where it is entered, and falls back to English where it was not.
/// </summary>
public static partial class ArticleLanguage
{
    public const string Problem = "language must be a language tag such as en, fr or pt-BR, or a language name such as French";

    /// <summary>The tag for <paramref name="value"/>, or null when it is neither a known tag nor a known language name.</summary>
    public static string? Normalize(string? value)
    {
        var candidate = value?.Trim();
        if (string.IsNullOrEmpty(candidate) || candidate.Length > 35) return null;
        if (TagShape().IsMatch(candidate))
        {
            try
            {
                var culture = CultureInfo.GetCultureInfo(candidate, predefinedOnly: true);
                if (culture.Name.Length > 0) return culture.Name;
            }
            catch (CultureNotFoundException)
            {
                // Not a tag .NET knows; it may still be a language's name.
            }
        }
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.NeutralCultures))
        {
            if (culture.Name.Length > 0
                && (string.Equals(culture.EnglishName, candidate, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(culture.NativeName, candidate, StringComparison.OrdinalIgnoreCase)))
                return culture.Name;
        }
        return null;
    }

    /// <summary>What a prompt may carry: the known tag, else English (a stored value that predates the check).</summary>
    public static string ForPrompt(string? value) => Normalize(value) ?? "en";

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")]
    private static partial Regex TagShape();
}
