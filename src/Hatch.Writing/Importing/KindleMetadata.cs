using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Hatch.Writing.Importing;

internal enum ClippingKind { Highlight, Note, Bookmark, Article, Unknown }

/// <summary>What a clipping's metadata line says; <see cref="Unread"/> lists what could not be read from it.</summary>
internal sealed record KindleHeader(
    ClippingKind Kind, string? Page, string? Location, int? Start, int? End, DateTimeOffset? Date, bool DateIsLocal, IReadOnlyList<string> Unread);

/// <summary>
/// Reads a Kindle metadata line ("- Your Highlight on page 12 | Location 123-125 | Added on …") by its structure,
/// with word tables for every language Kindle ships: the kind is a word anywhere before the date, each number range is
/// a page or a location by the word before it (or <c>ページ</c>/<c>页</c> after it), and the date is the segment with a
/// time. A language the tables do not know still gives its numbers by position (page first, then location), and what
/// could not be read is said, so no entry is lost because its device was set to another language.
/// </summary>
internal static partial class KindleMetadata
{
    // Lower-case; matched as substrings of the lower-cased line, so "Your Highlight" and "ハイライト" need no tokenizer.
    // Bookmarks and clipped articles are tried before notes and highlights, whose words are shorter.
    private static readonly (ClippingKind Kind, string[] Words)[] KindWords =
    [
        (ClippingKind.Bookmark, ["bookmark", "lesezeichen", "signet", "marcador", "marque-page", "segnalibro", "bladwijzer", "закладк", "ブックマーク", "书签", "書籤"]),
        (ClippingKind.Article, ["clip this article", "clipping", "artikel ausschneiden", "clipper cet article", "recortar este artículo", "ritaglia", "クリップ", "剪贴", "剪貼"]),
        (ClippingKind.Note, ["note", "notiz", "nota", "notitie", "заметк", "メモ", "笔记", "筆記", "附註"]),
        (ClippingKind.Highlight, ["highlight", "markierung", "surlignement", "subrayado", "resaltado", "evidenziazione", "destaque", "realce", "markering", "выделен", "ハイライト", "标注", "標註", "劃線", "畫線", "画线", "标记", "標記"]),
    ];

    // One vectorized search per kind instead of a Contains per word: 100,000 clippings are read in well under a second.
    private static readonly (ClippingKind Kind, SearchValues<string> Words)[] KindSearch =
        KindWords.Select(k => (k.Kind, SearchValues.Create(k.Words, StringComparison.Ordinal))).ToArray();

    private static readonly string[] PageWords = ["page", "seite", "página", "pagina", "pág", "страниц", "第"];

    private static readonly string[] LocationWords =
        ["location", "loc.", "position", "pos.", "posizione", "posición", "posicion", "posição", "posicao", "localização", "localizacao", "emplacement", "locatie", "positie", "мест", "позиц", "位置", "#"];

    /// <summary>Month names as Kindles write them in dates (Russian in the genitive, as in "16 марта 2015").</summary>
    private static readonly Dictionary<string, int> Months = BuildMonths();
    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> MonthsBySpan = Months.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, int> BuildMonths()
    {
        string[][] tables =
        [
            ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
            ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"],
            ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
            ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
            ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
            ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
            ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
            ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
            ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"],
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        ];
        var months = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in tables)
        {
            for (var i = 0; i < 12; i++) months.TryAdd(table[i], i + 1);
        }
        foreach (var (name, month) in (ReadOnlySpan<(string, int)>)[("jänner", 1), ("sept", 9), ("setiembre", 9), ("fév", 2), ("févr", 2), ("déc", 12), ("janv", 1), ("juil", 7)])
            months.TryAdd(name, month);
        return months;
    }

    private static readonly string[] MorningMarkers = ["上午", "午前", "早上", "凌晨"];
    private static readonly string[] AfternoonMarkers = ["下午", "午後", "晚上", "中午"];

    /// <summary>A metadata line starts with a hyphen or (Russian firmware) an en dash.</summary>
    public static bool IsMetadataLine(string line) => line.Length > 1 && line[0] is '-' or '–' or '—';

    public static KindleHeader Parse(string line)
    {
        List<string>? unread = null;
        var body = line.TrimStart('-', '–', '—', ' ', '\t');
        var segments = body.Split('|', StringSplitOptions.TrimEntries);

        // The date is the last segment with a time in it; everything before it says what and where.
        var dateIndex = -1;
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (TimePattern().IsMatch(segments[i]))
            {
                dateIndex = i;
                break;
            }
        }
        // No time anywhere: a last field with no page or location word is still the date, unreadable, and said so.
        if (dateIndex < 0 && segments.Length >= 2 && RoleBefore(segments[^1].ToLowerInvariant()) == NumberRole.Unknown)
            dateIndex = segments.Length - 1;
        var place = dateIndex == segments.Length - 1
            ? string.Join(" | ", segments, 0, dateIndex)
            : string.Join(" | ", segments.Where((_, i) => i != dateIndex));
        var lower = place.ToLowerInvariant();

        var kind = ClippingKind.Unknown;
        foreach (var (candidate, words) in KindSearch)
        {
            if (lower.AsSpan().IndexOfAny(words) >= 0)
            {
                kind = candidate;
                break;
            }
        }
        if (kind == ClippingKind.Unknown) (unread ??= []).Add("whether it is a highlight, a note or a bookmark (read as a highlight)");

        var (page, location, start, end) = ReadPlace(place, lower, ref unread);

        DateTimeOffset? date = null;
        var isLocal = false;
        if (dateIndex >= 0)
        {
            date = ParseDate(segments[dateIndex], out isLocal);
            if (date is null) (unread ??= []).Add($"the date '{ImportSupport.Shorten(segments[dateIndex], 60)}'");
        }
        return new KindleHeader(kind, page, location, start, end, date, isLocal, (IReadOnlyList<string>?)unread ?? []);
    }

    private enum NumberRole { Unknown, Page, Location }

    private static (string? Page, string? Location, int? Start, int? End) ReadPlace(string place, string lower, ref List<string>? unread)
    {
        string? page = null;
        (int Start, int End, string Text)? location = null;
        List<(int Start, int End, string Text)>? unknown = null;
        var previousEnd = 0;
        foreach (var match in RangePattern().EnumerateMatches(place))
        {
            var before = lower.AsSpan(previousEnd, match.Index - previousEnd);
            var bar = before.LastIndexOf('|');
            if (bar >= 0) before = before[(bar + 1)..];
            var after = lower.AsSpan(match.Index + match.Length).TrimStart();
            previousEnd = match.Index + match.Length;

            var role = RoleBefore(before);
            if (after.StartsWith("ページ") || after.StartsWith("页") || after.StartsWith("頁")) role = NumberRole.Page;
            // The match is digits, then optionally a dash between spaces and more digits.
            var text = place.AsSpan(match.Index, match.Length);
            var digits = text.IndexOfAnyExceptInRange('0', '9');
            var startText = digits < 0 ? text : text[..digits];
            var endText = digits < 0 ? default : text[digits..].TrimStart(" -–—\t");
            if (ParseRange(startText.ToString(), endText.IsEmpty ? null : endText.ToString()) is not { } range) continue;

            switch (role)
            {
                case NumberRole.Page when page is null:
                    page = range.Start == range.End ? range.Start.ToString(CultureInfo.InvariantCulture) : $"{range.Start}–{range.End}";
                    break;
                case NumberRole.Location when location is null:
                    location = (range.Start, range.End, range.Text);
                    break;
                default:
                    (unknown ??= []).Add((range.Start, range.End, range.Text));
                    break;
            }
        }

        // Numbers with no word this reader knows: Kindles write the page before the location, and a lone number is a
        // location far more often than a page.
        if (unknown is { Count: > 0 })
        {
            unread ??= [];
            if (location is null && page is null && unknown.Count >= 2)
            {
                page = unknown[0].Text;
                location = unknown[1];
                unread.Add($"which number is the page and which the location (read {page} as the page, {location.Value.Text} as the location)");
            }
            else if (location is null)
            {
                location = unknown[0];
                unread.Add($"whether {location.Value.Text} is a page or a location (read as a location)");
            }
            else if (page is null)
            {
                page = unknown[0].Text;
                unread.Add($"whether {page} is a page or a location (read as a page)");
            }
        }
        return location is { } l ? (page, l.Text, l.Start, l.End) : (page, null, null, null);
    }

    /// <summary>The role given by the last page or location word before a number.</summary>
    private static NumberRole RoleBefore(ReadOnlySpan<char> before)
    {
        var best = -1;
        var role = NumberRole.Unknown;
        foreach (var word in PageWords)
        {
            var at = before.LastIndexOf(word, StringComparison.Ordinal);
            if (at > best) (best, role) = (at, NumberRole.Page);
        }
        foreach (var word in LocationWords)
        {
            var at = before.LastIndexOf(word, StringComparison.Ordinal);
            if (at > best) (best, role) = (at, NumberRole.Location);
        }
        return role;
    }

    /// <summary>
    /// A range as written, its end expanded when older Kindles abbreviate it ("3812-15" is 3812 to 3815), shown with
    /// an en dash; a range whose ends are equal is one location.
    /// </summary>
    internal static (int Start, int End, string Text)? ParseRange(string startText, string? endText)
    {
        if (!int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return null;
        var end = start;
        if (endText is not null && int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedEnd))
        {
            end = parsedEnd;
            if (end < start && endText.Length < startText.Length)
            {
                var prefix = startText[..(startText.Length - endText.Length)];
                end = int.TryParse(prefix + endText, NumberStyles.None, CultureInfo.InvariantCulture, out var expanded) ? expanded : start;
            }
            end = Math.Max(start, end);
        }
        var text = start == end
            ? start.ToString(CultureInfo.InvariantCulture)
            : $"{start.ToString(CultureInfo.InvariantCulture)}–{end.ToString(CultureInfo.InvariantCulture)}";
        return (start, end, text);
    }

    /// <summary>
    /// A Kindle date in any language it ships: the time (with AM/PM or 上午/下午 markers), a GMT offset when there is one
    /// ("Ora media di Greenwich" is GMT), a month name or the CJK 年月日 form, and the day and year around it (two-digit
    /// years are 20xx). Without an offset the wall-clock time is returned with a zero offset and
    /// <paramref name="isLocal"/> set, because the file does not say the device's time zone.
    /// </summary>
    internal static DateTimeOffset? ParseDate(string text, out bool isLocal)
    {
        isLocal = false;
        var time = TimePattern().Match(text);
        if (!time.Success) return null;
        var hour = int.Parse(time.Groups["h"].ValueSpan, CultureInfo.InvariantCulture);
        var minute = int.Parse(time.Groups["m"].ValueSpan, CultureInfo.InvariantCulture);
        var second = time.Groups["s"].Success ? int.Parse(time.Groups["s"].ValueSpan, CultureInfo.InvariantCulture) : 0;

        var beforeTime = text.AsSpan(0, time.Index).TrimEnd();
        var afterTime = text.AsSpan(time.Index + time.Length).TrimStart();
        var pm = false;
        var am = false;
        if (afterTime.Length > 0 && afterTime[0] is 'a' or 'A' or 'p' or 'P' && MeridiemPattern().IsMatch(afterTime))
        {
            pm = afterTime[0] is 'p' or 'P';
            am = !pm;
        }
        foreach (var marker in AfternoonMarkers) pm |= beforeTime.EndsWith(marker, StringComparison.Ordinal);
        foreach (var marker in MorningMarkers) am |= beforeTime.EndsWith(marker, StringComparison.Ordinal);
        if (pm && hour < 12) hour += 12;
        else if (am && hour == 12) hour = 0;

        TimeSpan? offset = null;
        Match? offsetMatch = null;
        if (text.Contains("GMT", StringComparison.Ordinal) || text.Contains("UTC", StringComparison.Ordinal))
        {
            offsetMatch = OffsetPattern().Match(text);
            if (offsetMatch.Success)
            {
                var sign = offsetMatch.Groups["sign"].ValueSpan is "-" ? -1 : 1;
                var hours = int.Parse(offsetMatch.Groups["oh"].ValueSpan, CultureInfo.InvariantCulture);
                var minutes = offsetMatch.Groups["om"].Success ? int.Parse(offsetMatch.Groups["om"].ValueSpan, CultureInfo.InvariantCulture) : 0;
                if (hours <= 14 && minutes < 60) offset = sign * new TimeSpan(hours, minutes, 0);
            }
            else
            {
                offset = TimeSpan.Zero;
            }
        }
        else if (text.Contains("Greenwich", StringComparison.OrdinalIgnoreCase))
        {
            offset = TimeSpan.Zero;
        }

        // The day is read around the time and the offset, whose numbers are not the date's.
        var skip = (time.Index, time.Index + time.Length);
        var skipOffset = offsetMatch is { Success: true } o ? (o.Index, o.Index + o.Length) : (0, 0);
        if (ReadDay(text, skip, skipOffset) is not { } day) return null;
        if (hour > 23 || minute > 59 || second > 59 || day.Month is < 1 or > 12 || day.Day < 1 || day.Year is < 1 or > 9999
            || day.Day > DateTime.DaysInMonth(day.Year, day.Month))
            return null;
        isLocal = offset is null;
        return new DateTimeOffset(day.Year, day.Month, day.Day, hour, minute, second, offset ?? TimeSpan.Zero);
    }

    private static (int Year, int Month, int Day)? ReadDay(string text, (int Start, int End) skip, (int Start, int End) skipOffset)
    {
        if (text.Contains('年') && CjkDatePattern().Match(text) is { Success: true } cjk)
        {
            return (int.Parse(cjk.Groups["y"].ValueSpan, CultureInfo.InvariantCulture), int.Parse(cjk.Groups["mo"].ValueSpan, CultureInfo.InvariantCulture),
                int.Parse(cjk.Groups["d"].ValueSpan, CultureInfo.InvariantCulture));
        }

        int? month = null;
        var before = new List<string>(2);
        var after = new List<string>(2);
        foreach (var token in TokenPattern().EnumerateMatches(text))
        {
            if ((token.Index >= skip.Start && token.Index < skip.End) || (token.Index >= skipOffset.Start && token.Index < skipOffset.End)) continue;
            var value = text.AsSpan(token.Index, token.Length);
            if (char.IsAsciiDigit(value[0]))
            {
                (month is null ? before : after).Add(value.ToString());
            }
            else if (month is null && MonthsBySpan.TryGetValue(value, out var m))
            {
                month = m;
            }
        }
        if (month is null) return null;
        var numbers = new List<string>(before.Count + after.Count);
        numbers.AddRange(before);
        numbers.AddRange(after);
        var fourDigit = numbers.FindIndex(n => n.Length == 4);
        string? dayText, yearText;
        if (fourDigit >= 0)
        {
            yearText = numbers[fourDigit];
            numbers.RemoveAt(fourDigit);
            dayText = numbers.FirstOrDefault();
        }
        else if (before.Count == 0)
        {
            // "October 31, 09": month first, then day and year.
            dayText = after.ElementAtOrDefault(0);
            yearText = after.ElementAtOrDefault(1);
        }
        else
        {
            // "11 December 12", "sabato 17 maggio 14": day before the month, year after it.
            dayText = before[^1];
            yearText = after.FirstOrDefault();
        }
        if (dayText is null || yearText is null || dayText.Length > 2 || yearText.Length > 4) return null;
        var year = int.Parse(yearText, CultureInfo.InvariantCulture);
        if (yearText.Length <= 2) year += 2000;
        return (year, month.Value, int.Parse(dayText, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(?<!\d)\d{1,9}(?:\s*[-–—]\s*\d{1,9})?(?!\d)")]
    private static partial Regex RangePattern();

    [GeneratedRegex(@"(?<!\d)(?<h>\d{1,2}):(?<m>\d{2})(?::(?<s>\d{2}))?(?!\d)")]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^\s*(?:(?<p>p\.?\s?m\.?)|a\.?\s?m\.?)(?![\p{L}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MeridiemPattern();

    [GeneratedRegex(@"(?:GMT|UTC)\s*(?<sign>[+-])\s*(?<oh>\d{1,2})(?::?(?<om>\d{2}))?", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();

    [GeneratedRegex(@"(?<y>\d{4})\s*年\s*(?<mo>\d{1,2})\s*月\s*(?<d>\d{1,2})\s*日")]
    private static partial Regex CjkDatePattern();

    [GeneratedRegex(@"\d+|\p{L}+")]
    private static partial Regex TokenPattern();
}
