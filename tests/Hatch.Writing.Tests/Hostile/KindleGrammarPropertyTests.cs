using System.Globalization;
using CsCheck;
using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Hostile;

/// <summary>
/// Generated clippings files in every supported language and firmware generation, with every line-ending style and
/// byte order marks where Kindles put them: every highlight comes back with the page, location and date it was written
/// with, every note and bookmark is counted, and nothing is rejected or left unread. The writers below are independent
/// of the importer's tables (their own month names), so a wrong table entry fails here.
/// </summary>
public sealed class KindleGrammarPropertyTests
{
    private enum Kind { Highlight, Note, Bookmark }

    private sealed record Entry(Kind Kind, int Index, int? Page, int Start, int End, DateTime At, TimeSpan? Offset, int Abbreviate);

    /// <summary>One Kindle language and generation: how it writes a metadata line.</summary>
    private sealed record Dialect(string Name, bool HasPage, bool HasOffset, bool MinutesOnly, Func<Entry, string> Header);

    private static readonly string[] English = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] German = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];
    private static readonly string[] French = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    private static readonly string[] Spanish = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"];
    private static readonly string[] Italian = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"];
    private static readonly string[] Portuguese = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"];
    private static readonly string[] Dutch = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"];
    private static readonly string[] Russian = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"];

    private static string Range(Entry e, string dash = "-")
    {
        var start = e.Start.ToString(CultureInfo.InvariantCulture);
        var end = e.End.ToString(CultureInfo.InvariantCulture);
        // Old firmware drops leading digits the end shares with the start ("3812-15"); the importer must restore them.
        if (e.Abbreviate > 0 && start.Length == end.Length && e.End > e.Start)
        {
            var common = 0;
            while (common < start.Length - 1 && start[common] == end[common]) common++;
            end = end[Math.Min(e.Abbreviate, common)..];
        }
        return start + dash + end;
    }

    private static string Pick(Kind kind, string highlight, string note, string bookmark) =>
        kind switch { Kind.Highlight => highlight, Kind.Note => note, _ => bookmark };

    private static string Hms(DateTime t) => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Twelve(DateTime t, string format) => t.ToString(format, CultureInfo.InvariantCulture);

    private static string Cjk12(DateTime t, string morning, string afternoon) =>
        (t.Hour < 12 ? morning : afternoon) + (t.Hour % 12 == 0 ? 12 : t.Hour % 12) + t.ToString(":mm:ss", CultureInfo.InvariantCulture);

    private static string Gmt(TimeSpan offset) => $"GMT{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration():hh\\:mm}";

    private static readonly Dialect[] Dialects =
    [
        new("en Kindle 1-2", false, false, true, e =>
            $"- {Pick(e.Kind, "Highlight", "Note", "Bookmark")} Loc. {Range(e)} | Added on Monday, {English[e.At.Month - 1]} {e.At.Day}, {e.At.Year}, {Twelve(e.At, "hh:mm tt")}"),
        new("en Kindle 3, GMT", true, true, false, e =>
            $"- {Pick(e.Kind, "Highlight", "Note", "Bookmark")} on Page {e.Page} | Loc. {Range(e)}  | Added on Tuesday, {e.At.Day} {English[e.At.Month - 1]} {e.At:yy} {Hms(e.At)} {Gmt(e.Offset!.Value)}"),
        new("en Kindle 4 US", true, false, false, e =>
            $"- Your {Pick(e.Kind, "Highlight", "Note", "Bookmark")} on page {e.Page} | Location {Range(e)} | Added on Sunday, {English[e.At.Month - 1]} {e.At.Day}, {e.At.Year} {Twelve(e.At, "h:mm:ss tt")}"),
        new("en Paperwhite UK", false, false, false, e =>
            $"- Your {Pick(e.Kind, "Highlight", "Note", "Bookmark")} at location {Range(e)} | Added on Friday, {e.At.Day} {English[e.At.Month - 1]} {e.At.Year} {Hms(e.At)}"),
        new("de", true, false, false, e =>
            $"- {Pick(e.Kind, "Ihre Markierung", "Ihre Notiz", "Ihr Lesezeichen")} auf Seite {e.Page} | bei Position {Range(e)} | Hinzugefügt am Donnerstag, {e.At.Day}. {German[e.At.Month - 1]} {e.At.Year} {Hms(e.At)}"),
        new("fr", true, false, false, e =>
            $"- {Pick(e.Kind, "Votre surlignement", "Votre note", "Votre signet")} sur la page {e.Page} | emplacement {Range(e)} | Ajouté le jeudi {e.At.Day} {French[e.At.Month - 1]} {e.At.Year} {Hms(e.At)}"),
        new("es", true, false, false, e =>
            $"- {Pick(e.Kind, "Tu subrayado", "Tu nota", "Tu marcador")} en la página {e.Page} | posición {Range(e)} | Añadido el viernes, {e.At.Day} de {Spanish[e.At.Month - 1]} de {e.At.Year} {Hms(e.At)}"),
        new("es 2013", true, false, false, e =>
            $"- {Pick(e.Kind, "Mi subrayado", "Mi nota", "Mi marcador")} en la página {e.Page} | Posición {Range(e)} | Añadido el viernes {e.At.Day} de {Spanish[e.At.Month - 1]} de {e.At.Year}, {Hms(e.At)}"),
        new("it old", true, true, false, e =>
            $"- {Pick(e.Kind, "Evidenziazione", "Nota", "Segnalibro")} a pagina {e.Page} | Pos. {Range(e)}  | Aggiunta il sabato {e.At.Day} {Italian[e.At.Month - 1]} {e.At:yy} {Hms(e.At)} " +
            (e.Offset == TimeSpan.Zero ? "Ora media di Greenwich" : Gmt(e.Offset!.Value))),
        new("it", true, false, false, e =>
            $"- {Pick(e.Kind, "La tua evidenziazione", "La tua nota", "Il tuo segnalibro")} a pagina {e.Page} | posizione {Range(e)} | Aggiunto in data lunedì {e.At.Day} {Italian[e.At.Month - 1]} {e.At.Year} {Hms(e.At)}"),
        new("pt-BR", true, false, false, e =>
            $"- {Pick(e.Kind, "Seu destaque", "Sua nota", "Seu marcador")} na página {e.Page} | posição {Range(e)} | Adicionado: quinta-feira, {e.At.Day} de {Portuguese[e.At.Month - 1]} de {e.At.Year} {Hms(e.At)}"),
        new("pt", false, false, false, e =>
            $"- {Pick(e.Kind, "Seu destaque", "Sua nota", "Seu marcador")} ou posição {Range(e)} | Adicionado: segunda-feira, {e.At.Day} de {Portuguese[e.At.Month - 1]} de {e.At.Year} {Hms(e.At)}"),
        new("nl", true, false, false, e =>
            $"- {Pick(e.Kind, "Uw markering", "Uw notitie", "Uw bladwijzer")} op pagina {e.Page} | locatie {Range(e)} | Toegevoegd op maandag {e.At.Day} {Dutch[e.At.Month - 1]} {e.At.Year} {Hms(e.At)}"),
        new("ru", true, false, false, e =>
            $"– {Pick(e.Kind, "Ваш выделенный отрывок", "Ваша заметка", "Ваша закладка")} на странице {e.Page} | Место {Range(e, "–")} | Добавлено: понедельник, {e.At.Day} {Russian[e.At.Month - 1]} {e.At.Year} г. в {Hms(e.At)}"),
        new("ja", true, false, false, e =>
            $"- {e.Page}ページ|位置No. {Range(e)}の{Pick(e.Kind, "ハイライト", "メモ", "ブックマーク")} |作成日: {e.At.Year}年{e.At.Month}月{e.At.Day}日火曜日 {Hms(e.At)}"),
        new("zh-CN old", false, false, false, e =>
            $"- 我的{Pick(e.Kind, "标注", "笔记", "书签")} 位置 #{Range(e)} | 添加于{e.At.Year}年{e.At.Month}月{e.At.Day}日星期二 {Cjk12(e.At, "上午", "下午")}"),
        new("zh-CN", true, false, false, e =>
            $"- 您在第 {e.Page} 页（位置 #{Range(e)}）的{Pick(e.Kind, "标注", "笔记", "书签")} | 添加于 {e.At.Year}年{e.At.Month}月{e.At.Day}日星期一 {Cjk12(e.At, "上午", "下午")}"),
        new("zh-TW", true, false, false, e =>
            $"- 您在第 {e.Page} 頁（位置 #{Range(e)}）的{Pick(e.Kind, "畫線", "筆記", "書籤")} | 新增於 {e.At.Year}年{e.At.Month}月{e.At.Day}日 星期一 {Cjk12(e.At, "上午", "下午")}"),
    ];

    private static readonly string[] LineEndings = ["\n", "\r\n", "\r\r\n"];

    private static readonly Gen<Entry> EntryGen =
        Gen.Select(Gen.Int[0, 9], Gen.Int[1, 900], Gen.Int[1, 99_999], Gen.Int[0, 40], Gen.DateTime[new DateTime(2008, 1, 1), new DateTime(2035, 12, 31)],
                Gen.Int[-11 * 4, 14 * 4], Gen.Int[0, 3])
            .Select((kind, page, start, length, at, quarterHours, abbreviate) => new Entry(
                kind < 7 ? Kind.Highlight : kind < 9 ? Kind.Note : Kind.Bookmark, 0, page, start, start + length,
                new DateTime(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second), TimeSpan.FromMinutes(15 * quarterHours), abbreviate));

    private static readonly Gen<(Dialect Dialect, string LineEnding, bool Boms, Entry[] Entries)> FileGen =
        Gen.Select(Gen.Int[0, Dialects.Length - 1], Gen.Int[0, LineEndings.Length - 1], Gen.Bool, EntryGen.Array[1, 12])
            .Select((d, l, boms, entries) => (Dialects[d], LineEndings[l], boms, entries.Select((e, i) => e with { Index = i }).ToArray()));

    [Fact]
    public void EveryGeneratedClippingIsReadBackAsItWasWritten() =>
        FileGen.Sample(file =>
        {
            var (dialect, eol, boms, entries) = file;
            var text = string.Concat(entries.Select(e =>
                (boms ? "\uFEFF" : "") +
                // Each entry its own book, so notes never find a highlight and the counts are exact.
                $"Book {e.Index} of the Tides (Ana Ruiz){eol}{dialect.Header(e)}{eol}{eol}" +
                (e.Kind == Kind.Bookmark ? "" : $"Passage #{e.Index}# about the sea.") + $"{eol}=========={eol}"));

            var result = HighlightImporters.Default.Import(text, "My Clippings.txt");

            Assert.Equal("kindle", result.Format);
            Assert.Empty(result.Rejected);
            Assert.True(result.Warnings.Count == 0, dialect.Name + ": " + string.Join("; ", result.Warnings));
            Assert.Equal(entries.Count(e => e.Kind == Kind.Bookmark), result.Bookmarks);
            Assert.Equal(entries.Count(e => e.Kind == Kind.Note), result.Notes);
            Assert.Equal(entries.Count(e => e.Kind == Kind.Note), result.KeptNotes.Count);
            var highlights = entries.Where(e => e.Kind == Kind.Highlight).ToArray();
            Assert.Equal(highlights.Length, result.Highlights.Count);
            foreach (var (expected, actual) in highlights.Zip(result.Highlights))
            {
                Assert.Equal($"Passage #{expected.Index}# about the sea.", actual.Text);
                Assert.Equal($"Book {expected.Index} of the Tides", actual.Source.Title);
                Assert.Equal(dialect.HasPage ? expected.Page?.ToString(CultureInfo.InvariantCulture) : null, actual.Location?.Page);
                Assert.Equal(expected.Start == expected.End ? $"{expected.Start}" : $"{expected.Start}–{expected.End}", actual.Location?.Location);
                var at = dialect.MinutesOnly ? expected.At.AddSeconds(-expected.At.Second) : expected.At;
                var offset = dialect.HasOffset ? expected.Offset!.Value : TimeSpan.Zero;
                Assert.Equal(new DateTimeOffset(at, offset), actual.HighlightedAt);
                Assert.Equal(offset, actual.HighlightedAt!.Value.Offset);
                Assert.Equal(!dialect.HasOffset, actual.HighlightedAtIsLocal);
            }
        }, iter: 1500, threads: 1);
}
