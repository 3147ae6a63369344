using System.Text.RegularExpressions;

namespace Hatch.Writing.Extractive;

/// <summary>
/// Recognises sentences that tell the reader to do something, and names them with a short title taken from
/// their own words. The extractive writer only gives advice the highlights or notes already contain.
/// </summary>
public static partial class Prescriptive
{
    public const int MaxTitleWords = 8;

    // Words that make a sentence advice wherever they occur.
    [GeneratedRegex(@"\b(should|shouldn't|must|mustn't|need to|needs to|have to|has to|ought to|make sure|be sure to|remember to|it is (important|essential|crucial|vital|better|wise) to|it's (important|essential|crucial|vital|better|wise) to|the key is to|the trick is to|the secret is to)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StrongCue();

    // "should have" and "must have" look back or guess; they do not advise.
    [GeneratedRegex(@"\b(should|must|could|would)(n't)? have\b|\b(should|must|need to|needs to) be (noted|said|remembered|stressed|admitted|added|acknowledged)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Counterfactual();

    // "A budget you have to remember is a budget you will forget": an obligation inside a description, not advice.
    [GeneratedRegex(@"^(a|an|the|every|any|each)\s+\w+\s+(that\s+|which\s+)?(you|we|they|people)\s+(have to|has to|need to|must)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DescribedObligation();

    // Words that advise only when addressed to the reader: at the start, or after "you"/"we".
    [GeneratedRegex(@"^(try|avoid|plan|don't|do not|never|always|focus on|consider|remember|start|stop|let's|resist|beware)\b|\b(you|we) (can )?(try|avoid|plan|don't|do not|never|always|focus on)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddressedCue();

    [GeneratedRegex(@"^(so|and|but|then|also|instead|therefore|thus|finally|first|second|third|next|above all|in short|in practice|in other words|for example)\b[,:]?\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingConnective();

    [GeneratedRegex(@"^(you|we|i|one|they|people|everyone|leaders|managers|readers|writers|students|parents|teams)\s+(really\s+|also\s+|first\s+)?(should|must|need to|have to|ought to|can|want to)\s+(also\s+|really\s+)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectAndModal();

    [GeneratedRegex(@"^(it is|it's)\s+(important|essential|crucial|vital|better|best|wise)\s+to\s+|^the (key|trick|secret) is to\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImportantTo();

    [GeneratedRegex(@"[,;:(]|\s[—–-]\s|\s(because|so that|which|since|unless|otherwise)\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClauseBreak();

    // Base verbs that start an instruction ("Write every morning.", "Spend less than you earn.").
    private static readonly HashSet<string> ImperativeVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "ask", "avoid", "be", "begin", "block", "break", "build", "buy", "call", "cancel", "challenge", "change", "check",
        "choose", "commit", "compare", "consider", "create", "cut", "decide", "define", "delegate", "delete", "design", "do",
        "don't", "drink", "eat", "eliminate", "embrace", "establish", "exercise", "experiment", "find", "finish", "focus",
        "follow", "forget", "forgive", "give", "go", "guard", "help", "identify", "imagine", "invest", "keep", "learn", "leave",
        "let", "limit", "list", "listen", "look", "make", "measure", "meditate", "move", "never", "note", "notice", "observe",
        "pay", "pick", "plan", "practice", "practise", "prepare", "prioritize", "prioritise", "protect", "question", "read",
        "reduce", "reflect", "remember", "remove", "repeat", "replace", "resist", "review", "reward", "save", "schedule",
        "seek", "set", "share", "simplify", "sleep", "slow", "spend", "start", "stay", "stick", "stop", "take", "talk", "teach",
        "test", "track", "treat", "trust", "try", "turn", "use", "wait", "walk", "watch", "work", "write", "always",
        // Commands that carry no marker word ("Put the phone in a drawer.", "Batch the questions.").
        "add", "agree", "anchor", "attach", "batch", "bring", "celebrate", "clear", "close", "draft", "drop", "end",
        "hide", "hold", "link", "lock", "mark", "name", "open", "outline", "pair", "park", "pause", "print", "propose",
        "put", "reread", "rewrite", "revise", "run", "shrink", "sketch", "skip", "spread", "swap", "switch", "tell",
        "throw", "cap", "budget", "quiz", "restart", "return", "say", "show", "sort", "split", "state", "count",
        "salt", "season", "taste", "clean", "hone", "sharpen", "visit", "pay", "automate", "leave", "get", "pat", "pull",
        "preheat", "squeeze", "raise", "fix",
    };

    // A note that states what the reader means to do about the highlight ("try this", "I'll do this on Monday").
    [GeneratedRegex(@"^(i\s*(will|'ll|’ll|want to|need to|should|must|am going to|'m going to|’m going to)|(must|should|going to|want to|need to|have to)\s+(try|do|use|start|adopt|apply)|(try|do|adopt|apply|start)\s+(this|it|that)\b|to do\b|todo\b|action\b|try\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IntentionNote();

    // A note that files the highlight somewhere else ("Use this for the quarterly review doc.", "see also ch. 3").
    [GeneratedRegex(@"\b(see( also)?|cf\.?|quote|cite|reference|link (this|it) (in|to|from)|send (this|it) to|share (this|it) with|for (the|my|our|a|an)\s+([\w-]+\s+){0,3}(doc|document|deck|slides?|post|newsletter|essay|article|talk|presentation|report|wiki|thread|chapter|book|blog|email|page|notes?|review doc|memo|paper|podcast|outline))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PointerNote();

    /// <summary>
    /// True when the reader's note says they mean to act on the highlight it annotates, and does not merely file
    /// it for use elsewhere: "try this" is an intention, "Use this for the quarterly review doc." is a pointer.
    /// </summary>
    public static bool IsIntentionNote(string? note)
    {
        if (string.IsNullOrWhiteSpace(note)) return false;
        var s = note.Trim().TrimStart('"', '\'', '“', '‘', '-', '*', '•', ' ');
        if (PointerNote().IsMatch(s)) return false;
        return IntentionNote().IsMatch(s) || IsPrescriptive(s);
    }

    /// <summary>True when the note only points elsewhere: it names a document or a place to use the highlight in.</summary>
    public static bool IsPointerNote(string? note) => !string.IsNullOrWhiteSpace(note) && PointerNote().IsMatch(note);

    /// <summary>A title at most this long is short enough to head an advice item.</summary>
    public const int MaxWholeTitleWords = 14;

    /// <summary>
    /// A title taken whole from the advice as written: its first clause (up to a comma, semicolon, colon or dash)
    /// when that is a complete phrase, or the whole sentence when it is short; null when neither fits, because a
    /// title cut mid-phrase ("Delete the first paragraph and see if anyone") misleads.
    /// </summary>
    public static string? WholeTitle(string sentence) => WholeTitle(sentence, MaxWholeTitleWords);

    private static string? WholeTitle(string sentence, int maxWords)
    {
        var s = sentence.Trim();
        var clauseEnd = WholeClauseBreak().Match(s);
        var clause = (clauseEnd.Success ? s[..clauseEnd.Index] : s).TrimEnd('.', '!', ' ');
        var words = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || words.Length > maxWords) return null;
        if (WeakEndings.Contains(words[^1].Trim('.', ',', ';', ':', '!', '"', '”'))) return null;
        return clause;
    }

    [GeneratedRegex(@"[,;:]\s|\s[—–-]\s|—|\.\s|\?\s|!\s")]
    private static partial Regex WholeClauseBreak();

    // After a noun subject ("Sleep is…", "Practice makes…") the first word is not a command.
    private static readonly HashSet<string> SubjectFollowers = new(StringComparer.OrdinalIgnoreCase)
    {
        "is", "are", "was", "were", "has", "had", "have", "can", "could", "will", "would", "does", "did", "may", "might",
        "must", "should", "of", "and", "or", "'s", "’s", "itself", "alone", "itself,",
    };

    private static readonly HashSet<string> NotThirdPerson = new(StringComparer.OrdinalIgnoreCase)
    {
        "less", "this", "these", "those", "its", "his", "us", "across", "unless", "always", "yourselves", "ourselves",
        "themselves", "as", "towards", "afterwards", "ones", "yes", "various", "numerous", "serious", "obvious",
    };

    private static readonly HashSet<string> WeakEndings = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "of", "to", "and", "or", "at", "in", "on", "for", "with", "by", "from", "your", "our", "their",
        "that", "is", "be", "you", "as", "but", "if", "than", "into", "my", "his", "her", "its", "this", "these", "every",
        "each", "all", "some", "any", "very", "more", "not", "so", "when", "where", "how", "what", "who", "it", "we", "they",
        "i", "was", "are", "were", "has", "have", "can", "will", "about", "over", "after", "before", "until", "while",
    };

    public static bool IsPrescriptive(string sentence)
    {
        var s = sentence.Trim().TrimStart('"', '\'', '“', '‘', '(', '[', '-', '*', '•', ' ');
        if (s.Length == 0 || s.EndsWith('?')) return false;
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || words.Length > 45) return false;
        if (StrongCue().IsMatch(s) && !Counterfactual().IsMatch(s) && !DescribedObligation().IsMatch(s)) return true;
        s = LeadingConnective().Replace(s, "");
        if (AddressedCue().IsMatch(s)) return true;
        return StartsWithImperative(s);
    }

    /// <summary>
    /// True when the sentence opens as a command ("Never miss twice.", "You should read your draft aloud."), not
    /// merely carries a cue somewhere inside ("… errors you do not notice"): what lets the prose call it an instruction.
    /// </summary>
    public static bool StartsAsCommand(string sentence)
    {
        var s = AsCommand(LeadingConnective().Replace(sentence.Trim().TrimStart('"', '\'', '“', '‘', '(', ' '), ""));
        return Regex.IsMatch(s, @"^(try|avoid|never|always|don't|do not|stop|start|remember|consider)\b", RegexOptions.IgnoreCase)
            || StartsWithImperative(s);
    }

    private static bool StartsWithImperative(string s)
    {
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2) return false;
        var first = words[0].Trim(',', '.', ';', ':');
        var second = words[1].Trim(',', '.', ';', ':', '"', '”');
        if (!ImperativeVerbs.Contains(first)) return LooksLikeACommand(first, second);
        if (SubjectFollowers.Contains(second)) return false;
        // "Salt applied a day ahead draws moisture out": a participle after the first word makes it a subject.
        if (second.Length > 4 && second.EndsWith("ed", StringComparison.OrdinalIgnoreCase) && !second.EndsWith("eed", StringComparison.OrdinalIgnoreCase)) return false;
        // "Work expands…", "Practice makes…": a third-person verb after the first word means it was a subject.
        if (second.Length > 3 && second.EndsWith('s') && !second.EndsWith("ss", StringComparison.Ordinal)
            && !NotThirdPerson.Contains(second)) return false;
        return true;
    }

    // Words that follow a verb straight away and rarely follow a noun subject: "Brine the chicken", "Batch it".
    private static readonly HashSet<string> ObjectStarters = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "a", "an", "your", "every", "each", "it", "them", "yourself", "one", "some", "all", "before", "after",
        "until", "as", "out", "up", "down", "twice", "once", "early",
    };

    /// <summary>
    /// A command without a listed verb: a plain word (not a stopword, not an "-s", "-ed", "-ing" or "-ly" form) followed
    /// by what a verb takes and a noun subject does not ("Brine the chicken overnight.").
    /// </summary>
    private static bool LooksLikeACommand(string first, string second)
    {
        var lower = first.ToLowerInvariant();
        if (lower.Length < 3 || !lower.All(char.IsLetter) || Hatch.Writing.Text.Stopwords.Contains(lower)) return false;
        if (!IsPlainVerbForm(lower)) return false;
        return ObjectStarters.Contains(second);
    }

    /// <summary>Not an "-s", "-ed", "-ing" or "-ly" form ("feed" and "need" end in "ed" and are plain).</summary>
    private static bool IsPlainVerbForm(string lower) =>
        !(lower.EndsWith('s') || lower.EndsWith("ed", StringComparison.Ordinal) && !lower.EndsWith("eed", StringComparison.Ordinal)
            || lower.EndsWith("ing", StringComparison.Ordinal) || lower.EndsWith("ly", StringComparison.Ordinal));

    /// <summary>
    /// True when the sentence may be a bare command though no rule above recognises it ("Water deeply and rarely."):
    /// a plain word that is not a function word, not followed by what follows a subject. Too loose on its own; it
    /// counts only when the reader's note says they mean to act on the highlight ("Try this on the tomatoes").
    /// </summary>
    public static bool CouldBeCommand(string sentence)
    {
        var words = sentence.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || words.Length > 45 || sentence.TrimEnd().EndsWith('?')) return false;
        var first = words[0].Trim(',', '.', ';', ':').ToLowerInvariant();
        var second = words[1].Trim(',', '.', ';', ':', '"', '”');
        if (first.Length < 3 || !first.All(char.IsLetter) || Hatch.Writing.Text.Stopwords.Contains(first) || !IsPlainVerbForm(first)) return false;
        if (SubjectFollowers.Contains(second)) return false;
        // "Silence in a meeting is not agreement": a verb later in the first clause makes the first word its subject.
        var clause = WholeClauseBreak().Match(sentence) is { Success: true } m ? sentence[..m.Index] : sentence;
        if (Regex.IsMatch(clause, @"\b(is|are|was|were|has|have|had|does|do|did|can|will|would|may|might|isn't|aren't|means|makes)\b", RegexOptions.IgnoreCase)) return false;
        return !(second.Length > 3 && second.EndsWith('s') && !second.EndsWith("ss", StringComparison.Ordinal) && !NotThirdPerson.Contains(second));
    }

    // "You should write …", "I'll raise …", "Must try …": a subject and modal before a plain command.
    [GeneratedRegex(@"^((you|we|i)\s*(really\s+|also\s+)?('ll|’ll|\swill|\sshould|\smust|\sneed to|\shave to|\sought to)|must|should|need to)\s+(?<rest>\S.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ModalCommand();

    /// <summary>
    /// The sentence as a plain command when it is a simple "you should / I'll / must &lt;verb&gt; …" (the reader's
    /// intention or the author's advice addressed to someone): "I'll raise this at standup" → "Raise this at
    /// standup". Anything else comes back as written.
    /// </summary>
    public static string AsCommand(string sentence)
    {
        var s = LeadingConnective().Replace(sentence.Trim(), "");
        var m = ModalCommand().Match(s);
        if (!m.Success) return sentence.Trim();
        var rest = m.Groups["rest"].Value;
        var first = rest.Split(' ')[0].Trim(',', '.', ';', ':');
        var second = rest.Split(' ').Skip(1).FirstOrDefault()?.Trim(',', '.', ';', ':') ?? "";
        if (!(ImperativeVerbs.Contains(first) || LooksLikeACommand(first, second)) || first.Equals("be", StringComparison.OrdinalIgnoreCase)) return sentence.Trim();
        return char.ToUpperInvariant(rest[0]) + rest[1..];
    }

    /// <summary>Words before which a long command can end and still be whole: "Try working in blocks of ninety minutes | with the phone …".</summary>
    private static readonly HashSet<string> PhraseStarts = new(StringComparer.OrdinalIgnoreCase)
    {
        "with", "before", "after", "until", "when", "while", "so", "rather", "instead", "by", "at", "every", "each", "during",
        "without", "because", "unless", "even", "if", "and",
    };

    /// <summary>Advice titles stay short: a command longer than this is ended before a phrase that can follow it.</summary>
    public const int ShortTitleWords = 9;

    /// <summary>
    /// <see cref="WholeTitle"/>, shortened when it runs long by ending it before a phrase that qualifies the command
    /// ("with the phone in another room"), so the title is a short imperative and the detail goes on from it.
    /// </summary>
    public static string? ShortTitle(string sentence)
    {
        var whole = WholeTitle(sentence, 45);
        // A long command that ends weakly ("… the ones people ask for.") can still be ended before a qualifying phrase.
        if (whole is null && WholeClauseBreak().Match(sentence.Trim()) is { Success: false }
            && sentence.Trim().TrimEnd('.', '!', ' ') is var plain && plain.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > ShortTitleWords)
            whole = plain;
        if (whole is null) return null;
        var words = whole.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length <= ShortTitleWords) return whole;
        // Only a command is shortened: "Every incident review should end" would stop before its point.
        var opener = words[0].Trim(',', '.');
        if (!(ImperativeVerbs.Contains(opener) || LooksLikeACommand(opener, words[1].Trim(',', '.'))))
            return words.Length <= MaxWholeTitleWords ? whole : null;
        for (var end = ShortTitleWords; end >= 4; end--)
        {
            if (!PhraseStarts.Contains(words[end].Trim(',', '.'))) continue;
            if (WeakEndings.Contains(words[end - 1].Trim('.', ',', ';', ':', '!', '"', '”'))) continue;
            return string.Join(' ', words[..end]);
        }
        return words.Length <= MaxWholeTitleWords && !WeakEndings.Contains(words[^1].Trim('.', ',', ';', ':', '!', '"', '”')) ? whole : null;
    }

    /// <summary>A short title from the sentence's first clause, without "you should" and the like: at most eight words.</summary>
    public static string Title(string sentence)
    {
        var s = sentence.Trim().TrimStart('"', '\'', '“', '‘', '(', '-', '*', '•', ' ');
        s = LeadingConnective().Replace(s, "");
        s = SubjectAndModal().Replace(s, "");
        s = ImportantTo().Replace(s, "");
        var clauseEnd = ClauseBreak().Match(s);
        var clause = clauseEnd.Success && clauseEnd.Index > 0 ? s[..clauseEnd.Index] : s;
        var words = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count < 2) words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count > MaxTitleWords) words = words[..MaxTitleWords];
        while (words.Count > 2 && WeakEndings.Contains(words[^1].Trim('.', ',', ';', ':', '!', '"', '”'))) words.RemoveAt(words.Count - 1);
        var title = string.Join(' ', words).TrimEnd('.', ',', ';', ':', '!', '?', '"', '”', '’', '\'', ' ', '—', '–', '-');
        title = title.TrimStart('"', '“');
        return title.Length == 0 ? title : char.ToUpperInvariant(title[0]) + title[1..];
    }
}
