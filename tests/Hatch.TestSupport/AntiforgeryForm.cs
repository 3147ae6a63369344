using System.Text.RegularExpressions;

namespace Hatch.TestSupport;

/// <summary>The anti-forgery token a Razor page renders into its forms, which a test posting a form must send back.</summary>
public static partial class AntiforgeryForm
{
    /// <summary>The token of the first form in <paramref name="html"/>; empty when the page has no form.</summary>
    public static string Token(string html) => TokenField().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
