using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Text;

namespace Hatch.Writing.Rendering;

/// <summary>A link rendered under a draft (an email's "open the draft", "settings", "unsubscribe").</summary>
public sealed record DraftLink(string Text, string Url);

/// <summary>The output formats a draft can be rendered to.</summary>
public enum DraftFormat { Markdown, Html, Json }

/// <summary>
/// Renders a draft as Markdown (the shape readers know from Glasp's articles, plus citations and sources),
/// as a self-contained HTML page, or as JSON. Highlight text and model output are untrusted: Markdown escapes
/// the characters that would turn them into links, HTML or headings, and HTML encodes everything.
/// </summary>
public static partial class DraftRenderer
{
    public const int QuoteLength = 120;

    /// <summary>The domain's article JSON options (<see cref="HatchJson.Options"/>).</summary>
    public static JsonSerializerOptions JsonOptions => HatchJson.Options;

    public static string Render(DraftDocument draft, DraftFormat format) => format switch
    {
        DraftFormat.Markdown => Markdown(draft),
        DraftFormat.Html => Html(draft),
        DraftFormat.Json => Json(draft),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static string Byline(DraftDocument draft)
    {
        var date = draft.Provenance.CreatedAt.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);
        var minutes = draft.Article.ReadingMinutes;
        return $"Hatched by {draft.AuthorName ?? "Hatch"} · {date} · {minutes} min read";
    }

    public static string? Disclosure(DraftDocument draft) =>
        draft.Provenance.Writer == "Extractive"
            ? "Drafted offline by Hatch's extractive writer from your own highlights: every cited sentence is quoted from them, and no language model was used."
            : null;

    // ---------- Markdown ----------

    public static string Markdown(DraftDocument draft)
    {
        var article = draft.Article;
        var md = new StringBuilder();
        md.Append("# ").AppendLine(EscapeMarkdownLine(article.Title)).AppendLine();
        md.Append('*').Append(EscapeMarkdownLine(Byline(draft))).AppendLine("*").AppendLine();
        if (Disclosure(draft) is { } disclosure)
            md.Append("> ").AppendLine(disclosure).AppendLine();

        AppendParagraphs(md, article.Overview);

        foreach (var section in article.Sections)
        {
            md.Append("## ").AppendLine(EscapeMarkdownLine(section.Heading)).AppendLine();
            AppendParagraphs(md, WithCitations(section.Body, section.Citations));
        }

        if (article.Advice.Count > 0)
        {
            md.AppendLine("## Actionable Advice").AppendLine();
            for (var i = 0; i < article.Advice.Count; i++)
            {
                var item = article.Advice[i];
                var (title, rest) = AdviceParts(item);
                md.Append(i + 1).Append(". **").Append(EscapeMarkdownLine(title)).Append("**").AppendLine(EscapeInline(WithCitations(rest, item.Citations)));
            }
            md.AppendLine();
        }

        md.AppendLine("## Conclusion").AppendLine();
        AppendParagraphs(md, article.Conclusion);

        var cited = draft.CitedHighlights().ToArray();
        if (cited.Length > 0)
        {
            md.AppendLine("## Sources").AppendLine();
            foreach (var source in cited)
            {
                // The address is the one link Markdown output makes, as an explicit autolink: SafeUrl allows only
                // http(s) and its AbsoluteUri has no space, '<' or '>', so it cannot end the autolink early.
                var url = SafeUrl(source.Highlight.Source.Url);
                var line = SourceLine(source with { Highlight = source.Highlight with { Source = source.Highlight.Source with { Url = null } } });
                md.Append("- [").Append(source.Number).Append("] ").Append(EscapeMarkdownLine(line[($"[{source.Number}] ").Length..]));
                if (url is not null) md.Append(" — <").Append(url).Append('>');
                if (NoteShown(source.Highlight, article) is { } note) md.Append(" — your note: \"").Append(EscapeMarkdownLine(note)).Append('"');
                md.AppendLine();
            }
            md.AppendLine();
        }
        if (draft.Provenance.LeftOutReason is { } leftOut)
            md.Append("*").Append(EscapeMarkdownLine(Capitalize(leftOut))).AppendLine(".*").AppendLine();
        return md.ToString().TrimEnd() + "\n";
    }

    /// <summary>
    /// The reader's note on a cited highlight, as the Sources list shows it: an article may quote the note under the
    /// highlight's number, so the list shows where those words come from. Markup is taken out, and it is cut like a quote.
    /// </summary>
    /// A note the article does not quote stays out: a note is private to its reader, and an editor or a public page
    /// must not see one the article never used.
    private static string? NoteShown(Highlight highlight, Article article) =>
        string.IsNullOrWhiteSpace(highlight.Note) || Markup.Clean(highlight.Note) is not { Length: > 0 } clean
        || !Quoted(article, clean.Trim()) ? null : Quote(clean);

    private static bool Quoted(Article article, string note) =>
        article.Overview.Contains(note, StringComparison.Ordinal) || article.Conclusion.Contains(note, StringComparison.Ordinal)
        || article.Sections.Any(x => x.Body.Contains(note, StringComparison.Ordinal))
        || article.Advice.Any(a => a.Title.Contains(note, StringComparison.Ordinal) || a.Detail.Contains(note, StringComparison.Ordinal));

    // ---------- plain text ----------

    /// <summary>
    /// The draft as plain text, for an email's text part: nothing is interpreted, so nothing is escaped. Headings are
    /// underlined, advice is numbered, citations stay as [n] and the sources follow as numbered notes.
    /// </summary>
    public static string PlainText(DraftDocument draft)
    {
        var article = draft.Article;
        var text = new StringBuilder();
        void Heading(string heading, char rule) =>
            text.AppendLine(Flatten(heading)).AppendLine(new string(rule, Math.Clamp(Flatten(heading).Length, 3, 72))).AppendLine();
        void Paragraphs(string body)
        {
            foreach (var block in Blocks(body))
            {
                foreach (var line in block.Lines) text.Append(block.IsList ? "- " : "").AppendLine(line);
                text.AppendLine();
            }
        }

        Heading(article.Title, '=');
        text.AppendLine(Byline(draft)).AppendLine();
        if (Disclosure(draft) is { } disclosure) text.AppendLine(disclosure).AppendLine();
        Paragraphs(article.Overview);
        foreach (var section in article.Sections)
        {
            Heading(section.Heading, '-');
            Paragraphs(WithCitations(section.Body, section.Citations));
        }
        if (article.Advice.Count > 0)
        {
            Heading("Actionable Advice", '-');
            for (var i = 0; i < article.Advice.Count; i++)
            {
                var (title, rest) = AdviceParts(article.Advice[i]);
                text.Append(i + 1).Append(". ").Append(Flatten(title)).AppendLine(Flatten(WithCitations(rest, article.Advice[i].Citations)));
            }
            text.AppendLine();
        }
        Heading("Conclusion", '-');
        Paragraphs(article.Conclusion);
        var cited = draft.CitedHighlights().ToArray();
        if (cited.Length > 0)
        {
            Heading("Sources", '-');
            foreach (var source in cited)
            {
                text.Append(SourceLine(source));
                if (NoteShown(source.Highlight, article) is { } note) text.Append(" — your note: \"").Append(note).Append('"');
                text.AppendLine();
            }
            text.AppendLine();
        }
        if (draft.Provenance.LeftOutReason is { } leftOut) text.Append(Capitalize(leftOut)).AppendLine(".");
        return text.ToString().TrimEnd() + "\n";
    }

    /// <summary>`[n] "short quote…" — Title, Author (location) — URL`</summary>
    public static string SourceLine(NumberedHighlight numbered)
    {
        var h = numbered.Highlight;
        var line = new StringBuilder();
        line.Append('[').Append(numbered.Number).Append("] \"").Append(Quote(h.Text)).Append("\" — ").Append(h.Source.Title);
        if (!string.IsNullOrWhiteSpace(h.Source.Author)) line.Append(", ").Append(h.Source.Author);
        if (h.Location is { IsEmpty: false } location) line.Append(" (").Append(location).Append(')');
        if (SafeUrl(h.Source.Url) is { } url) line.Append(" — ").Append(url);
        return line.ToString();
    }

    public static string Quote(string text)
    {
        var flat = Flatten(text);
        // A hostile highlight's snippet stops where its markup starts: an escaped remnant ("\<a…") is noise to a
        // reader, and the markup itself is never shown.
        if (Hatch.Writing.Text.Markup.IndexOf(flat) is var at and >= 0)
            flat = at >= 20 ? flat[..at].TrimEnd() + " …" : Hatch.Writing.Text.Markup.Clean(flat);
        if (flat.Length <= QuoteLength) return flat;
        var cut = flat.LastIndexOf(' ', QuoteLength - 1);
        return flat[..(cut > QuoteLength / 2 ? cut : QuoteLength - 1)].TrimEnd(' ', ',', ';', ':', '.') + "…";
    }

    /// <summary>
    /// The bold title and the text that follows it (without citations). When the detail opens with the title (the
    /// extractive writer titles advice with the sentence's first clause) the title is not printed twice:
    /// "**Block two mornings a week.**" or "**Do this at 5pm**, before shutting the laptop."; otherwise the detail
    /// follows a colon.
    /// </summary>
    public static (string Title, string FollowingText) AdviceParts(AdviceItem item)
    {
        var title = Flatten(item.Title).TrimEnd('.', ':', ';', ',', ' ');
        var detail = Flatten(item.Detail);
        if (title.Length > 0 && detail.StartsWith(title, StringComparison.OrdinalIgnoreCase))
        {
            var rest = detail[title.Length..];
            // The detail's own words and casing win; what follows continues the same sentence.
            return rest is "" or "." or "!" ? (detail, "") : (detail[..title.Length], rest);
        }
        return (title, ": " + detail);
    }

    /// <summary>Appends the citation marker unless the text already cites inline.</summary>
    public static string WithCitations(string text, IReadOnlyList<int> citations)
    {
        if (citations.Count == 0 || ArticleValidator.InlineCitations(text).Any()) return text;
        return text.TrimEnd() + " " + CitationMarker(citations);
    }

    public static string CitationMarker(IEnumerable<int> citations) => "[" + string.Join(", ", citations.Distinct().Order()) + "]";

    /// <summary>Only http(s) URLs are shown as links or addresses; anything else (javascript:, data:) is dropped.</summary>
    public static string? SafeUrl(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsoluteUri
            : null;

    private static void AppendParagraphs(StringBuilder md, string text)
    {
        foreach (var block in Blocks(text))
        {
            if (block.IsList)
                foreach (var item in block.Lines) md.Append("- ").AppendLine(EscapeMarkdownLine(item));
            else
                md.AppendLine(EscapeMarkdownLine(block.Lines[0]));
            md.AppendLine();
        }
    }

    /// <summary>A paragraph, or a list when every line of the block starts with "- " (a briefing's bullet points).</summary>
    private sealed record Block(bool IsList, IReadOnlyList<string> Lines);

    private static IEnumerable<Block> Blocks(string text)
    {
        foreach (var raw in ParagraphBreak().Split(text.Replace("\r\n", "\n")))
        {
            var lines = raw.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (lines.Length == 0) continue;
            if (lines.All(l => l.StartsWith("- ", StringComparison.Ordinal)))
                yield return new Block(true, lines.Select(l => Flatten(l[2..])).Where(l => l.Length > 0).ToArray());
            else
                yield return new Block(false, [Flatten(raw)]);
        }
    }

    private static string Flatten(string text) => Whitespace().Replace(text, " ").Trim();

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>
    /// Escapes what Markdown would interpret in untrusted text: HTML, links and images, emphasis, code, and
    /// block syntax at the start of a line. Citation markers [n] stay readable because a lone bracket pair
    /// without a following ( is not a link once '(' after ']' is escaped.
    /// </summary>
    public static string EscapeMarkdownLine(string text)
    {
        var escaped = EscapeMarkdownText(text);
        // Block constructs only matter at the start of a line: headings, lists, quotes, tables.
        return LineStartSyntax().IsMatch(escaped) ? "\\" + escaped : escaped;
    }

    private static string EscapeMarkdownText(string text)
    {
        var flat = Flatten(text);
        var escaped = new StringBuilder(flat.Length + 16);
        for (var i = 0; i < flat.Length; i++)
        {
            var ch = flat[i];
            switch (ch)
            {
                case '\\' or '`' or '*' or '_' or '<' or '>' or '!' or '|' or '~':
                    escaped.Append('\\').Append(ch);
                    break;
                case '(' when escaped.Length > 0 && escaped[^1] == ']':
                    escaped.Append("\\(");
                    break;
                // Only an ampersand that would start an entity ("&lt;") needs escaping; "Q&A" and "R & D" stay as written.
                case '&' when EntityAhead().IsMatch(flat.AsSpan(i)):
                    escaped.Append("\\&");
                    break;
                default:
                    escaped.Append(ch);
                    break;
            }
        }
        // Renderers with GitHub's extensions turn bare addresses into links; a backslash before the ':' of "://",
        // the '.' of "www." and the '@' of an address keeps them text (the backslash itself is not shown).
        return BareLink().Replace(escaped.ToString(), match => match.Value switch
        {
            "@" => "\\@",
            var v when v.EndsWith('.') => v[..^1] + "\\.",
            var v => v[..^1] + "\\:", // "://" and the script-capable schemes
        });
    }

    [GeneratedRegex(@"^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")]
    private static partial Regex EntityAhead();

    [GeneratedRegex(@"(?i):(?=//)|(?:mailto|javascript|vbscript|data|file|tel):|www\.|@")]
    private static partial Regex BareLink();

    /// <summary>Escapes text that continues a line: its leading space is kept and block syntax cannot apply.</summary>
    private static string EscapeInline(string text) =>
        (text.Length > 0 && char.IsWhiteSpace(text[0]) ? " " : "") + EscapeMarkdownText(text);

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^(#|=|-|\+|\d+[.)]\s|\[)")]
    private static partial Regex LineStartSyntax();

    // ---------- HTML ----------

    public static string Html(DraftDocument draft) => Html(draft, []);

    /// <summary>The HTML page with <paramref name="links"/> (text and address, both encoded) under the article, as an email ends.</summary>
    public static string Html(DraftDocument draft, IReadOnlyList<DraftLink> links)
    {
        var article = draft.Article;
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.Append("<html lang=\"").Append(Encode(LanguageTag(draft))).AppendLine("\">");
        html.AppendLine("<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>").Append(Encode(article.Title)).AppendLine("</title>");
        html.AppendLine("<style>body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.1rem/1.6 Georgia,serif;color:#222}"
            + ".byline{color:#666;font-style:italic}.cite{font-size:.8em;vertical-align:super}.note{border-left:3px solid #ccc;padding-left:1rem;color:#555}"
            + "ol.sources{font-size:.9rem}</style>");
        html.AppendLine("</head><body><article>");
        html.Append("<h1>").Append(Encode(article.Title)).AppendLine("</h1>");
        html.Append("<p class=\"byline\">").Append(Encode(Byline(draft))).AppendLine("</p>");
        if (Disclosure(draft) is { } disclosure)
            html.Append("<p class=\"note\">").Append(Encode(disclosure)).AppendLine("</p>");
        AppendHtmlParagraphs(html, article.Overview);
        foreach (var section in article.Sections)
        {
            html.Append("<h2>").Append(Encode(section.Heading)).AppendLine("</h2>");
            AppendHtmlParagraphs(html, WithCitations(section.Body, section.Citations));
        }
        if (article.Advice.Count > 0)
        {
            html.AppendLine("<h2>Actionable Advice</h2><ol>");
            foreach (var item in article.Advice)
            {
                var (title, rest) = AdviceParts(item);
                html.Append("<li><strong>").Append(Encode(title)).Append("</strong>").Append(LinkCitations(Encode(WithCitations(rest, item.Citations)))).AppendLine("</li>");
            }
            html.AppendLine("</ol>");
        }
        html.AppendLine("<h2>Conclusion</h2>");
        AppendHtmlParagraphs(html, article.Conclusion);

        var cited = draft.CitedHighlights().ToArray();
        if (cited.Length > 0)
        {
            html.AppendLine("<h2>Sources</h2><ol class=\"sources\">");
            foreach (var source in cited)
            {
                var h = source.Highlight;
                html.Append("<li id=\"source-").Append(source.Number).Append("\" value=\"").Append(source.Number).Append("\">&ldquo;")
                    .Append(Encode(Quote(h.Text))).Append("&rdquo; — ");
                if (SafeUrl(h.Source.Url) is { } url)
                    html.Append("<a href=\"").Append(Encode(url)).Append("\" rel=\"nofollow noopener\">").Append(Encode(h.Source.Title)).Append("</a>");
                else
                    html.Append(Encode(h.Source.Title));
                if (!string.IsNullOrWhiteSpace(h.Source.Author)) html.Append(", ").Append(Encode(h.Source.Author));
                if (h.Location is { IsEmpty: false } location) html.Append(" (").Append(Encode(location.ToString())).Append(')');
                if (NoteShown(h, draft.Article) is { } note) html.Append(" — your note: &ldquo;").Append(Encode(note)).Append("&rdquo;");
                html.AppendLine("</li>");
            }
            html.AppendLine("</ol>");
        }
        if (draft.Provenance.LeftOutReason is { } leftOut)
            html.Append("<p class=\"note\">").Append(Encode(Capitalize(leftOut))).AppendLine(".</p>");
        if (links.Count > 0)
        {
            html.Append("<hr><p class=\"links\">");
            html.AppendJoin(" · ", links.Select(l => $"<a href=\"{Encode(l.Url)}\">{Encode(l.Text)}</a>"));
            html.AppendLine("</p>");
        }
        html.AppendLine("</article></body></html>");
        return html.ToString();
    }

    private static string LanguageTag(DraftDocument draft) =>
        draft.Language.Length is >= 2 and <= 35 && draft.Language.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? draft.Language : "en";

    private static void AppendHtmlParagraphs(StringBuilder html, string text)
    {
        foreach (var block in Blocks(text))
        {
            if (!block.IsList)
            {
                html.Append("<p>").Append(LinkCitations(Encode(block.Lines[0]))).AppendLine("</p>");
                continue;
            }
            html.AppendLine("<ul>");
            foreach (var item in block.Lines)
                html.Append("<li>").Append(LinkCitations(Encode(item))).AppendLine("</li>");
            html.AppendLine("</ul>");
        }
    }

    /// <summary>Turns the (already encoded) markers [n] and [n, m] into links to the sources list.</summary>
    private static string LinkCitations(string encoded) =>
        EncodedCitation().Replace(encoded, match =>
        {
            var numbers = match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var links = numbers.Select(n => $"<a href=\"#source-{n}\">{n}</a>");
            return "<span class=\"cite\">[" + string.Join(", ", links) + "]</span>";
        });

    [GeneratedRegex(@"\[(\d+(?:,\s*\d+)*)\]")]
    private static partial Regex EncodedCitation();

    private static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    // ---------- JSON ----------

    /// <summary>The article, its numbered highlights (the ones given to the writer) and provenance.</summary>
    public static string Json(DraftDocument draft) =>
        JsonSerializer.Serialize(new
        {
            article = draft.Article,
            authorName = draft.AuthorName,
            language = draft.Language,
            sources = draft.CitedHighlights().Select(h => h.Number).ToArray(),
            highlights = draft.Highlights.Select(h => new { number = h.Number, highlight = h.Highlight, contentHash = h.Highlight.ContentHash }),
            provenance = draft.Provenance,
        }, JsonOptions);
}
