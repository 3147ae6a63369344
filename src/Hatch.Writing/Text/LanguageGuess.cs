namespace Hatch.Writing.Text;

/// <summary>
/// Which language a set of highlights is written in, told from its commonest function words. Enough for the
/// extractive writer to say that it cannot translate; not a general language detector.
/// </summary>
public static class LanguageGuess
{
    private static readonly (string Code, string Name, string[] Aliases, HashSet<string> Words)[] Languages =
    [
        ("en", "English", ["english"], Set("the and of to is that it in you for with are not this be on as but")),
        ("fr", "French", ["french", "français", "francais"], Set("le la les et des est une un que qui pas pour dans ce il ne sur au du")),
        ("de", "German", ["german", "deutsch"], Set("der die das und ist nicht ein eine zu den mit sich des auf für im dem ich")),
        ("es", "Spanish", ["spanish", "español", "espanol"], Set("el la los las y es que de en un una no por para con se del lo")),
        ("it", "Italian", ["italian", "italiano"], Set("il la che e di un una non per è con sono del della gli le lo")),
        ("pt", "Portuguese", ["portuguese", "português", "portugues"], Set("o a os as e de que não um uma para com é do da em se")),
        ("nl", "Dutch", ["dutch", "nederlands"], Set("de het een en van is dat niet op te zijn met voor die er ik")),
    ];

    /// <summary>The ISO 639-1 code of the texts' language, or null when no listed language stands out.</summary>
    public static string? Guess(IEnumerable<string> texts)
    {
        var counts = new int[Languages.Length];
        foreach (var text in texts)
            foreach (var word in text.ToLowerInvariant().Split([' ', '\n', '\t', ',', '.', ';', ':', '!', '?', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
                for (var l = 0; l < Languages.Length; l++)
                    if (Languages[l].Words.Contains(word)) counts[l]++;
        var best = Array.IndexOf(counts, counts.Max());
        return counts[best] >= 3 ? Languages[best].Code : null;
    }

    /// <summary>"fr", "fr-CA", "French" or "français" → "fr"; null when the tag names no language listed here.</summary>
    public static string? Normalize(string? language)
    {
        if (string.IsNullOrWhiteSpace(language)) return null;
        var lower = language.Trim().ToLowerInvariant();
        var primary = lower.Split('-', '_')[0];
        foreach (var (code, _, aliases, _) in Languages)
            if (primary == code || aliases.Contains(lower)) return code;
        return null;
    }

    /// <summary>The English name of a listed language, or the tag as given.</summary>
    public static string NameOf(string codeOrTag) =>
        Languages.FirstOrDefault(l => l.Code == Normalize(codeOrTag)).Name ?? codeOrTag;

    private static HashSet<string> Set(string words) => words.Split(' ').ToHashSet(StringComparer.Ordinal);
}
