using AngleSharp.Html.Parser;
using CsCheck;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.Writing.Rendering;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Hatch.Writing.Tests.Hostile;

/// <summary>
/// Whatever text an article and its highlights carry, the HTML page has only the elements and attributes the renderer
/// writes itself, and the Markdown, read by a renderer with every common extension, has no HTML and no link but the
/// sources' own http(s) addresses. The output is parsed, not searched for strings.
/// </summary>
public sealed class RendererPropertyTests
{
    private static readonly string[] Fragments =
    [
        "<script>window.hacked=1</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))", "[x]( javascript:alert(1) )", "![i](http://evil.example/i.png)", "<http://evil.example>",
        "http://evil.example/p", "https://evil.example", "www.evil.example", "mailto:a@evil.example", "a@evil.example",
        "[ref]", "[ref]: http://evil.example", "[x][ref]", "[1]", "[2, 3]", "](", "\"", "'", "`", "``", "*", "_", "~~", "|",
        "&lt;script&gt;", "&#60;script&#62;", "&amp;", "&", "<", ">", "</p>", "<!--", "-->", "<![CDATA[", "\\", "# ", "> ", "- ",
        "1. ", "===", "\n", "\n\n", "\r\n", " ", "  ", "\t", "word", "Practice", "é", "\u202e", "\u0000", "<svg onload=alert(1)>",
        "<iframe src=//evil.example>", "<style>", "javascript:", "data:text/html,<script>", "{{x}}", "<b", "onerror=",
    ];

    private static readonly Gen<string> Text =
        Gen.Frequency(
            (4, Gen.OneOf(Fragments).Array[0, 12].Select(parts => string.Concat(parts))),
            (1, Gen.String));

    private static readonly Gen<string?> Url =
        Gen.OneOf(Gen.OneOf<string?>(
            null, "https://example.com/a", "http://example.org/b?c=1&d=<2>", "javascript:alert(1)", "data:text/html,x", "https://ex.com/a)b](c", "//evil.example", "http://evil.example/\"onmouseover=\"x"),
            Text.Select(t => (string?)t));

    private static readonly Gen<DraftDocument> Documents =
        Gen.Select(Text, Text, Text, Text, Gen.Select(Text, Text, Text, Url), Text.Array[1, 3], Gen.Int[1, 3])
            .Select((title, overview, conclusion, heading, source, bodies, count) =>
            {
                var highlights = Enumerable.Range(1, count).Select(i => new NumberedHighlight(i, new Highlight
                {
                    Text = source.Item1 + i, Note = source.Item2, Source = new HighlightSource(source.Item3, source.Item1, source.Item4),
                    Location = new HighlightLocation(source.Item2, source.Item3),
                })).ToArray();
                var article = new Article(title, overview,
                    bodies.Select((b, i) => new ArticleSection(heading + i, b, [1 + i % count])).ToArray(),
                    [new AdviceItem(heading, overview, [1]), new AdviceItem(title, conclusion, [count])],
                    conclusion, 1);
                return new DraftDocument(article, highlights,
                    new DraftProvenance { Writer = "Extractive", CreatedAt = DateTimeOffset.UnixEpoch, LeftOutReason = heading }, title, "en");
            });

    /// <summary>Everything the renderer itself writes; anything else came from the input.</summary>
    private static readonly HashSet<string> Elements =
        ["html", "head", "meta", "title", "style", "body", "article", "h1", "h2", "p", "ol", "ul", "li", "strong", "a", "span"];

    private static readonly HashSet<string> Attributes = ["lang", "charset", "name", "content", "class", "id", "value", "href", "rel"];

    [Fact]
    public void TheHtmlPageHasOnlyTheRenderersOwnElementsAttributesAndLinks() =>
        Documents.Sample(document =>
        {
            var html = DraftRenderer.Html(document);
            var dom = new HtmlParser().ParseDocument(html);
            var allowedLinks = document.Highlights.Select(h => DraftRenderer.SafeUrl(h.Highlight.Source.Url)).OfType<string>().ToHashSet();
            foreach (var element in dom.All)
            {
                var name = element.LocalName;
                Assert.True(Elements.Contains(name), $"unexpected <{name}> in\n{html}");
                foreach (var attribute in element.Attributes)
                    Assert.True(Attributes.Contains(attribute.Name), $"unexpected attribute {attribute.Name} on <{name}>");
                if (element.GetAttribute("href") is { } href)
                    Assert.True(href.StartsWith("#source-", StringComparison.Ordinal) || allowedLinks.Contains(href), $"unexpected link {href}");
            }
            Assert.Single(dom.QuerySelectorAll("style"));
            Assert.Empty(dom.QuerySelectorAll("script, img, iframe, svg"));
        }, iter: 400, threads: 1);

    [Fact]
    public void TheMarkdownHasNoHtmlAndNoLinkButTheSourcesAddresses() =>
        Documents.Sample(document =>
        {
            var markdown = DraftRenderer.Markdown(document);
            var pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().UseAutoLinks().Build();
            var ast = Markdig.Markdown.Parse(markdown, pipeline);
            var allowedLinks = document.Highlights.Select(h => DraftRenderer.SafeUrl(h.Highlight.Source.Url)).OfType<string>().ToHashSet();
            foreach (var node in ast.Descendants())
            {
                Assert.False(node is HtmlBlock or HtmlInline, $"raw HTML {node.GetType().Name} in\n{markdown}");
                Assert.False(node is LinkReferenceDefinition, $"a reference definition in\n{markdown}");
                var url = node switch { LinkInline link => link.Url, AutolinkInline auto => auto.Url, _ => null };
                if (url is not null)
                    Assert.True(allowedLinks.Contains(url), $"link to '{url}' in\n{markdown}");
            }
            // Headings are the renderer's own: the title, its sections and the fixed ones.
            var headings = ast.Descendants<HeadingBlock>().Count();
            Assert.Equal(1 + document.Article.Sections.Count + 2 + (document.CitedHighlights().Any() ? 1 : 0), headings);
        }, iter: 400, threads: 1);
}
