using Hatch.Writing.Text;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Titles the extractive article from its largest themes' lead phrases. A few fixed templates, chosen by the
/// shape of the phrases rather than at random, so the same themes always get the same title: two-word phrases
/// carry a "From … to …" title on their own, single words need a list and a line saying what the list is.
/// </summary>
public static class ArticleTitles
{
    public const int MaxLength = 80;

    /// <param name="subject">What most of the reading is about, if one word is; it leads the title unless a theme already says it.</param>
    public static string Compose(IReadOnlyList<KeyPhrase> leads, bool single, KeyPhrase? subject = null)
    {
        if (subject is not null && !leads.Any(l => l.Stems.Contains(subject.Stems[0])))
        {
            var subjectName = KeyPhrases.TitleCase(subject.Text);
            var themes = leads.Select(l => KeyPhrases.TitleCase(l.Text)).ToArray();
            // "Sleep: Core Temperature, Night and Memory"; fewer themes when that runs long.
            for (var n = Math.Min(3, themes.Length); n >= 1; n--)
            {
                var title = $"{subjectName}: {KeyPhrases.JoinList(themes[..n])}";
                if (title.Length <= MaxLength) return title;
            }
            return $"{subjectName}: What Your Highlights Keep Returning To";
        }

        var names = leads.Select(l => KeyPhrases.TitleCase(l.Text)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (single) return names.Length == 0 ? "Notes on a Single Highlight" : $"{names[0]}: Notes on a Single Highlight";
        if (names.Length == 0) return "Threads Across Your Highlights";

        // Longest first; the first that fits wins, and the last always fits a sane phrase.
        return Candidates(leads, names).FirstOrDefault(t => t.Length <= MaxLength) ?? names[0];
    }

    private static IEnumerable<string> Candidates(IReadOnlyList<KeyPhrase> leads, string[] names)
    {
        if (names.Length == 1)
        {
            yield return $"{names[0]}: What Your Highlights Keep Returning To";
            yield return $"{names[0]}: Notes From Your Reading";
            yield break;
        }
        // "From Attention Residue to Daily Writing" reads as a journey only when a side is a real phrase;
        // "From Sleep to Budget" reads as a non sequitur.
        if (leads.Take(2).Any(l => l.IsPhrase))
        {
            yield return $"From {names[0]} to {names[1]}: What Your Highlights Connect";
            yield return $"From {names[0]} to {names[1]}";
        }
        if (names.Length >= 3)
            yield return $"{KeyPhrases.JoinList(names[..3])}: Threads in Your Reading";
        yield return $"{names[0]} and {names[1]}: Two Threads in Your Reading";
        yield return $"{names[0]} and {names[1]}";
    }
}
