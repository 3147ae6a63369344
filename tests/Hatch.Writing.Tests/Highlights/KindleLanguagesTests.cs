using Hatch.Writing.Importing;

namespace Hatch.Writing.Tests.Highlights;

/// <summary>
/// One clipping per language and firmware generation, written the way each Kindle writes its metadata line (book
/// titles and passages invented for these tests), read back for its kind, page, location and date.
/// </summary>
public sealed class KindleLanguagesTests
{
    private const string Passage = "The river keeps the shape of every stone it has passed.";

    /// <summary>language, metadata line, page, location, date (ISO 8601; no offset means device-local)</summary>
    public static TheoryData<string, string, string?, string?, string> Highlights => new()
    {
        { "en Kindle 2", "- Highlight Loc. 3812-15 | Added on Thursday, November 12, 2009, 08:40 AM", null, "3812–3815", "2009-11-12T08:40:00" },
        { "en Kindle 2, one digit", "- Highlight Loc. 6103-4 | Added on Thursday, November 12, 2009, 12:05 PM", null, "6103–6104", "2009-11-12T12:05:00" },
        { "en page only", "- Highlight on Page 37 | Added on Wednesday, November 16, 2011, 07:51 PM", "37", null, "2011-11-16T19:51:00" },
        { "en two-digit year and GMT", "- Highlight on Page 9 | Loc. 131-133  | Added on Friday, 14 December 12 06:02:11 GMT+05:30", "9", "131–133", "2012-12-14T06:02:11+05:30" },
        { "en Kindle 4 US", "- Your Highlight on Location 1203-1205 | Added on Monday, April 8, 2024 12:05:09 AM", null, "1203–1205", "2024-04-08T00:05:09" },
        { "en Paperwhite UK", "- Your Highlight on page 17 | Location 233-236 | Added on Sunday, 3 March 2024 14:05:01", "17", "233–236", "2024-03-03T14:05:01" },
        { "en at location", "- Your Highlight at location 410-412 | Added on Friday, 7 March 2014 22:01:40", null, "410–412", "2014-03-07T22:01:40" },
        { "de", "- Ihre Markierung auf Seite 88 | bei Position 1290-1292 | Hinzugefügt am Dienstag, 9. Dezember 2014 07:12:45", "88", "1290–1292", "2014-12-09T07:12:45" },
        { "de März", "- Ihre Markierung bei Position 2210-2212 | Hinzugefügt am Montag, 3. März 2025 08:01:02", null, "2210–2212", "2025-03-03T08:01:02" },
        { "fr", "- Votre surlignement sur la page 51 | emplacement 780-782 | Ajouté le mercredi 9 juillet 2025 21:14:03", "51", "780–782", "2025-07-09T21:14:03" },
        { "fr août", "- Votre surlignement à l'emplacement 88-90 | Ajouté le samedi 16 août 2025 07:00:12", null, "88–90", "2025-08-16T07:00:12" },
        { "es Mi", "- Mi subrayado en la página 44 | Posición 610-612 | Añadido el martes 10 de septiembre de 2013, 09:41:27", "44", "610–612", "2013-09-10T09:41:27" },
        { "es Tu with English word", "- Tu subrayado en la página 233 | Location 3501-3503 | Añadido el sábado, 19 de julio de 2014 18:22:09", "233", "3501–3503", "2014-07-19T18:22:09" },
        { "es La", "- La subrayado en la página 19 | posición 265-268 | Añadido el lunes, 5 de septiembre de 2022 11:48:56", "19", "265–268", "2022-09-05T11:48:56" },
        { "it old, Greenwich", "- Evidenziazione Pos. 342-45  | Aggiunta il martedì 20 maggio 14 08:31:52 Ora media di Greenwich", null, "342–345", "2014-05-20T08:31:52+00:00" },
        { "it old, GMT offset", "- Evidenziazione a pagina 73 | Pos. 1104-09  | Aggiunta il giovedì 22 maggio 14 22:10:05 GMT+01:00", "73", "1104–1109", "2014-05-22T22:10:05+01:00" },
        { "it new", "- La tua evidenziazione a pagina 12 | posizione 170-172 | Aggiunto in data lunedì 3 marzo 2025 14:05:01", "12", "170–172", "2025-03-03T14:05:01" },
        { "pt-BR", "- Seu destaque na página 61 | posição 702-702 | Adicionado: sábado, 21 de outubro de 2023 09:03:17", "61", "702", "2023-10-21T09:03:17" },
        { "pt-BR page only", "- Seu destaque na página 8 | Adicionado: sábado, 21 de outubro de 2023 09:10:00", "8", null, "2023-10-21T09:10:00" },
        { "pt ou posição", "- Seu destaque ou posição 4120-4122 | Adicionado: terça-feira, 25 de junho de 2019 22:37:40", null, "4120–4122", "2019-06-25T22:37:40" },
        { "pt-PT", "- O seu destaque na página 12 | localização 170-172 | Adicionado: segunda-feira, 3 de março de 2025 14:05:01", "12", "170–172", "2025-03-03T14:05:01" },
        { "nl", "- Uw markering op pagina 12 | locatie 170-172 | Toegevoegd op maandag 3 maart 2025 14:05:01", "12", "170–172", "2025-03-03T14:05:01" },
        { "ru", "– Ваш выделенный отрывок в месте 1502–1505 | Добавлено: среда, 25 марта 2015 г. в 07:19:33", null, "1502–1505", "2015-03-25T07:19:33" },
        { "ru page", "– Ваш выделенный отрывок на странице 14 | Место 310–313 | Добавлено: четверг, 3 сентября 2015 г. в 12:40:08", "14", "310–313", "2015-09-03T12:40:08" },
        { "ja", "- 位置No. 2087-2090のハイライト |作成日: 2021年9月14日火曜日 06:55:12", null, "2087–2090", "2021-09-14T06:55:12" },
        { "ja page, 午後", "- 12ページ|位置No. 170-172のハイライト |作成日: 2025年3月3日月曜日 午後2:05:01", "12", "170–172", "2025-03-03T14:05:01" },
        { "zh-CN old, 下午", "- 我的标注 位置 #812-815 | 添加于2013年11月19日星期二 下午08:26:47", null, "812–815", "2013-11-19T20:26:47" },
        { "zh-CN new, 上午 12", "- 您在第 12 页（位置 #170-172）的标注 | 添加于 2025年3月3日星期一 上午12:05:01", "12", "170–172", "2025-03-03T00:05:01" },
        { "zh-TW", "- 您在第 12 頁（位置 #170-172）的畫線 | 新增於 2025年3月3日 星期一 下午2:05:01", "12", "170–172", "2025-03-03T14:05:01" },
    };

    [Theory]
    [MemberData(nameof(Highlights))]
    public void EachLanguagesHighlightIsReadWithItsPageLocationAndDate(string language, string header, string? page, string? location, string date)
    {
        var result = Import(Clipping("Der stille Fluss (Mira Olsen)", header, Passage));

        var highlight = Assert.Single(result.Highlights);
        Assert.Equal(Passage, highlight.Text);
        Assert.Equal("Der stille Fluss", highlight.Source.Title);
        Assert.Equal("Mira Olsen", highlight.Source.Author);
        Assert.Equal(page, highlight.Location?.Page);
        Assert.Equal(location, highlight.Location?.Location);
        // A date without an offset is the device's wall clock: kept as read, and marked so nobody takes it for UTC.
        var deviceLocal = date.Length == "2024-01-01T00:00:00".Length;
        var expected = DateTimeOffset.Parse(deviceLocal ? date + "Z" : date, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, highlight.HighlightedAt);
        Assert.Equal(expected.Offset, highlight.HighlightedAt!.Value.Offset);
        Assert.True(highlight.HighlightedAtIsLocal == deviceLocal, $"{language}: device-local should be {deviceLocal}");
        Assert.Empty(result.Warnings);
        Assert.Empty(result.Rejected);
    }

    /// <summary>language, note line, bookmark line</summary>
    public static TheoryData<string, string, string> NotesAndBookmarks => new()
    {
        { "en old", "- Note Loc. 1934 | Added on Monday, December 14, 2009, 08:10 PM", "- Bookmark Loc. 2001 | Added on Monday, December 14, 2009, 08:12 PM" },
        { "en new", "- Your Note on Location 1934 | Added on Sunday, April 7, 2024 9:42:03 PM", "- Your Bookmark on Page 308-308 | Added on Sunday, April 7, 2024 9:50:00 PM" },
        { "de", "- Ihre Notiz bei Position 1934 | Hinzugefügt am Montag, 3. März 2025 08:01:02", "- Ihr Lesezeichen bei Position 2001 | Hinzugefügt am Montag, 3. März 2025 08:02:00" },
        { "fr", "- Votre note sur la page 51 | emplacement 1934 | Ajouté le mercredi 9 juillet 2025 21:15:00", "- Votre signet sur la page 60 | emplacement 2001 | Ajouté le mercredi 9 juillet 2025 21:16:00" },
        { "es", "- Tu nota en la página 12 | posición 1934 | Añadido el jueves, 2 de mayo de 2019 7:15:00", "- Mi marcador en la página 31 | Posición 455 | Añadido el martes 10 de septiembre de 2013, 09:50:00" },
        { "it", "- Nota a pagina 41 | Pos. 1934  | Aggiunta il martedì 20 maggio 14 08:35:10 Ora media di Greenwich", "- Segnalibro il Pagina 58 | Aggiunta il martedì 20 maggio 14 08:40:00 Ora media di Greenwich" },
        { "pt", "- Sua nota ou posição 1934 | Adicionado: terça-feira, 25 de junho de 2019 22:40:00", "- Seu marcador na página 3 | posição 40 | Adicionado: terça-feira, 25 de junho de 2019 22:41:00" },
        { "nl", "- Uw notitie op pagina 12 | locatie 1934 | Toegevoegd op maandag 3 maart 2025 14:05:01", "- Uw bladwijzer op pagina 13 | locatie 2001 | Toegevoegd op maandag 3 maart 2025 14:06:00" },
        { "ru", "– Ваша заметка в месте 1934 | Добавлено: среда, 25 марта 2015 г. в 07:20:00", "– Ваша закладка в месте 2001 | Добавлено: среда, 25 марта 2015 г. в 07:25:00" },
        { "ja", "- 位置No. 1934のメモ |作成日: 2021年9月14日火曜日 07:00:00", "- 位置No. 2001のブックマーク |作成日: 2021年9月14日火曜日 07:05:00" },
        { "zh-CN", "- 您在位置 #1934 的笔记 | 添加于 2013年11月22日星期五 上午6:12:40", "- 我的书签 在 第 112 页 | 添加于 2013年11月22日星期五 上午6:20:00" },
        { "zh-TW", "- 您在位置 #1934 的筆記 | 新增於 2025年3月3日 星期一 下午2:05:01", "- 您在位置 #2001 的書籤 | 新增於 2025年3月3日 星期一 下午2:06:00" },
    };

    [Theory]
    [MemberData(nameof(NotesAndBookmarks))]
    public void ANoteAttachesToTheHighlightItAnnotatesAndABookmarkIsCounted(string language, string noteHeader, string bookmarkHeader)
    {
        // The highlight's line is the note's with a range ending at the note, in the same language; the note comes first,
        // as Kindles sometimes write it.
        var highlightHeader = HighlightVersion(noteHeader.Replace("1934", "1930-1934", StringComparison.Ordinal));
        var result = Import(
            Clipping("Atlas der Stille (Jonas Weber)", bookmarkHeader, "")
            + Clipping("Atlas der Stille (Jonas Weber)", noteHeader, "Compare with the chapter on tides.")
            + Clipping("Atlas der Stille (Jonas Weber)", highlightHeader, Passage));

        var highlight = Assert.Single(result.Highlights);
        Assert.Equal("Compare with the chapter on tides.", highlight.Note);
        Assert.Equal(1, result.Notes);
        Assert.Empty(result.KeptNotes);
        Assert.Equal(1, result.Bookmarks);
        Assert.True(result.Warnings.Count == 0, language + ": " + string.Join("; ", result.Warnings));
    }

    private static string HighlightVersion(string noteHeader) => noteHeader
        .Replace("Your Note", "Your Highlight").Replace("- Note", "- Highlight").Replace("Ihre Notiz", "Ihre Markierung")
        .Replace("Votre note", "Votre surlignement").Replace("Tu nota", "Tu subrayado").Replace("- Nota", "- Evidenziazione")
        .Replace("Sua nota", "Seu destaque").Replace("Uw notitie", "Uw markering").Replace("Ваша заметка", "Ваш выделенный отрывок")
        .Replace("のメモ", "のハイライト").Replace("的笔记", "的标注").Replace("的筆記", "的畫線");

    [Fact]
    public void ANoteWithNoHighlightIsKeptOnItsBookAndNotCountedAsAHighlight()
    {
        var result = Import(
            Clipping("Field Guide to Fog (Ana Ruiz)", "- Your Highlight on Location 10-12 | Added on Friday, May 17, 2024 6:00:00 PM", Passage)
            + Clipping("Notebook of Small Hours (Ana Ruiz)", "- Your Note on Location 300 | Added on Friday, May 17, 2024 6:05:00 PM", "Ask the librarian about the map."));

        Assert.Single(result.Highlights);
        Assert.Equal(1, result.Notes);
        var kept = Assert.Single(result.KeptNotes);
        Assert.Equal("Notebook of Small Hours", kept.Source.Title);
        Assert.Equal("300", kept.Location?.Location);
        Assert.True(kept.WrittenAtIsLocal);
    }

    [Fact]
    public void AClippedArticleIsSkippedWithItsLineAndReason()
    {
        var result = Import(Clipping("Morning Post (2024-05-01)", "- Clip This Article at Location 1240 | Added on Friday, May 17, 2024 6:00:00 PM", "A whole article."));

        Assert.Empty(result.Highlights);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal(1, skipped.Line);
        Assert.Contains("clipped article", skipped.Message);
    }

    [Theory]
    [InlineData("You have reached the clipping limit for this item")]
    [InlineData("このアイテムのクリップの上限に達しました")]
    public void TheClippingLimitMessageMarksTheHighlightAsCutShortByTheDevice(string message)
    {
        var header = "- Your Highlight on Location 2290-2296 | Added on Friday, May 17, 2024 6:00:00 PM";
        var result = Import(
            Clipping("Tidewater (Kai Mori)", header, "The first half of a long passage <" + message + ">")
            + Clipping("Tidewater (Kai Mori)", header.Replace("2290-2296", "1300-1310"), " <" + message + ">"));

        Assert.Equal(2, result.TruncatedByDevice);
        Assert.All(result.Highlights, h => Assert.True(h.TruncatedByDevice));
        Assert.Contains(result.Highlights, h => h.Text == "The first half of a long passage");
        // A passage the device kept nothing of still says where it was, with the device's message as its only text.
        Assert.Contains(result.Highlights, h => h.Location?.Location == "1300–1310" && h.Text.Contains(message));
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void AnUnknownLanguageIsReadByStructureAndTheReportSaysWhatWasNotRead()
    {
        // Polish is not in the tables: the kind, the roles of the numbers and the month are all unknown words.
        var result = Import(Clipping("Cisza rzeki (Ola Nowak)", "- Twoje zaznaczenie na stronie 12 | pozycja 170-172 | Dodano: poniedziałek, 3 marca 2025 14:05:01", Passage));

        var highlight = Assert.Single(result.Highlights);
        Assert.Equal("12", highlight.Location?.Page);
        Assert.Equal("170–172", highlight.Location?.Location);
        Assert.Null(highlight.HighlightedAt);
        Assert.Contains(result.Warnings, w => w.Line == 2 && w.Message.Contains("highlight, a note or a bookmark"));
        Assert.Contains(result.Warnings, w => w.Message.Contains("page") && w.Message.Contains("location"));
        Assert.Contains(result.Warnings, w => w.Message.Contains("the date"));
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void OldFirmwareLineEndingsBomsAndALeadingSeparatorLoseNothing()
    {
        var entries = string.Concat(Enumerable.Range(1, 3).Select(i =>
            "\uFEFF" + Clipping($"Salt Roads (Ines Duarte)", $"- Highlight Loc. {i * 100}-{i * 100 + 2}  | Added on Friday, April 15, 2011, 06:12 PM", $"Passage #{i}#.")));
        var file = "==========\r\r\n" + entries.Replace("\r\n", "\r\r\n", StringComparison.Ordinal);

        var result = new KindleClippingsImporter().Import(file, "My Clippings.txt");

        Assert.Equal(["Passage #1#.", "Passage #2#.", "Passage #3#."], result.Highlights.Select(h => h.Text));
        Assert.All(result.Highlights, h => Assert.Equal("Salt Roads", h.Source.Title));
        Assert.Empty(result.Rejected);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\r\n")]
    public void AFileInAnyLanguageIsDetectedAsKindleButAMarkdownListUnderASetextHeadingIsNot(string eol)
    {
        var kindle = ("==========\n" + Clipping("Cisza rzeki (Ola Nowak)", "- Twoje zaznaczenie na stronie 12 | pozycja 170-172 | Dodano: 3 marca 2025 14:05:01", Passage))
            .Replace("\r\n", "\n").Replace("\n", eol);
        const string Markdown = "Reading notes\n==========\n\n- The tide table | a promise kept at 06:10\n- Salt gets into the ledgers\n";

        Assert.Equal("kindle", HighlightImporters.Default.Detect(kindle)?.Format);
        Assert.NotEqual("kindle", HighlightImporters.Default.Detect(Markdown)?.Format);
    }

    [Fact]
    public void AReHighlightThatGrewIsMergedKeepingTheLongerAndCountedAsADuplicate()
    {
        var result = Import(
            Clipping("Salt Roads (Ines Duarte)", "- Your Highlight on Location 200-201 | Added on Monday, April 8, 2024 7:00:00 AM", "Never hurry the tide.")
            + Clipping("Salt Roads (Ines Duarte)", "- Your Highlight on Location 200-204 | Added on Monday, April 8, 2024 7:01:00 AM", "Never hurry the tide. It has somewhere to be."));

        var kept = Assert.Single(result.Highlights);
        Assert.Equal("Never hurry the tide. It has somewhere to be.", kept.Text);
        Assert.Equal(1, result.Duplicates);
    }

    [Fact]
    public void AClippingOverTheLengthLimitIsNamedByItsLineEvenWithAByteOrderMarkInsideIt()
    {
        // The mark is dropped from the text, so the text is not in the file as written; the line must still be found.
        var file = Clipping("Salt Roads (Ines Duarte)", "- Your Highlight on Location 10-12 | Added on Friday, May 17, 2024 6:00:00 PM", "ab\uFEFFcd" + new string('x', 150));
        var limited = HighlightImporters.Default.WithLimits(new HatchLimits { MaxHighlightLength = 100 });

        var ex = Assert.Throws<ImportException>(() => limited.Import(file, "My Clippings.txt"));

        Assert.Equal(4, Assert.Single(ex.Issues).Line);
    }

    [Theory]
    [InlineData("Poder das Marés, O - Susan Vale  ", "Poder das Marés, O", "Susan Vale")]
    [InlineData("Tidal Essays (J. R. (John Ronald) Marsh)", "Tidal Essays", "J. R. (John Ronald) Marsh")]
    [InlineData("What the Fog Knows (Thomas Reed;)", "What the Fog Knows", "Thomas Reed")]
    [InlineData("Salt (Duarte, Ines;Moreau, Luc)", "Salt", "Ines Duarte; Luc Moreau")]
    [InlineData(@"D:\books\sea-notes.epub", @"D:\books\sea-notes.epub", null)]
    [InlineData("«ROADS OF SALT» (12 March 2019, notes from a retreat)", "«ROADS OF SALT» (12 March 2019, notes from a retreat)", null)]
    public void TitleLinesGiveTheAuthorFromParenthesesOrAfterADash(string line, string title, string? author) =>
        Assert.Equal((title, author), KindleClippingsImporter.ParseTitleLine(line));

    private static string Clipping(string title, string header, string text) => $"{title}\r\n{header}\r\n\r\n{text}\r\n==========\r\n";

    private static ImportResult Import(string content) => HighlightImporters.Default.Import(content, "My Clippings.txt", "kindle");
}
