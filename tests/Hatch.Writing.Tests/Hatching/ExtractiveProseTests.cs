using System.Text.RegularExpressions;
using Hatch.Domain.Articles;
using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;

namespace Hatch.Writing.Tests.Hatching;

/// <summary>The extractive writer's own sentences, as blind readers found them wanting: names, verbs, capitals.</summary>
public sealed class ExtractiveProseTests
{
    private static string Name(Highlight h) => string.IsNullOrWhiteSpace(h.Source.Author) ? h.Source.Title : h.Source.Author!;

    private static ExtractiveProse Prose(string style = "essay") => new(new ArticleOptions { Style = style }, Name);

    private static Highlight From(string title, string? author, string text = "Night shifts move the body clock by a few hours at most.") =>
        new HighlightBuilder().Text(text).From(title, author).Build();

    private static ExtractiveProse.SectionPlan Plan(string heading, params Highlight[] quoted) =>
        new(heading, "shift work", quoted.Select((h, i) => new ExtractiveProse.QuotePlan(h.Text, i + 1, h.Source.Title.ToLowerInvariant(), h)).ToArray(),
            null, 1, null);

    // ---------- names in the overview ----------

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void TheOverviewNamesEverySourceUpToFive(int count)
    {
        var sources = Enumerable.Range(1, count).Select(i => From($"Book {i}", $"Author Number{i}")).ToArray();

        var overview = Prose().Overview(null, [Plan("Shift Work", sources[0], sources[1])], [], sources, null);

        Assert.DoesNotContain("other source", overview);
        Assert.All(sources, s => Assert.Contains(s.Source.Author!, overview));
    }

    [Theory]
    [InlineData("I stepped down as maintainer of pgsnap. Here's what I wish I'd done sooner. - Mateo Ferraz", "Mateo Ferraz")]
    [InlineData("I stepped down as maintainer of pgsnap. Here's what I wish I'd done sooner.", "I stepped down as maintainer of pgsnap")]
    [InlineData("The Practice Ledger: Notes on Craft", "The Practice Ledger")]
    [InlineData("Walkable streets - notes from a year of counting", "Walkable streets - notes from a year of counting")]
    public void ASourceWithoutAnAuthorIsNamedByItsBylineOrTheStartOfItsTitle(string title, string name)
    {
        Assert.Equal(name, ExtractiveComposer.SourceName(From(title, null)));
    }

    [Fact]
    public void BeyondFiveTheOverviewNamesThreeAndCountsTheOthers()
    {
        var sources = Enumerable.Range(1, 7).Select(i => From($"Book {i}", $"Author Number{i}")).ToArray();

        var overview = Prose().Overview(null, [Plan("Shift Work", sources[0], sources[1])], [], sources, null);

        Assert.Contains("Author Number1, Author Number2, Author Number3 and four others", overview);
        Assert.DoesNotContain("Author Number4", overview);
    }

    // ---------- verbs that agree with several authors ----------

    [Theory]
    [InlineData("Rosa Castellanos and Daniel Fenwick")]
    [InlineData("Castellanos; Fenwick")]
    [InlineData("Castellanos & Fenwick")]
    [InlineData("Rosa Castellanos, Daniel Fenwick")]
    [InlineData("Ann Lee, Bo Chen, Cy Diaz")]
    public void ASourceWithSeveralAuthorsTakesThePluralVerb(string authors)
    {
        var paired = From("Shift Work and Sleep", authors);
        var other = From("The Night Clock", "Mara Ode", "Bright light at the wrong hour delays sleep by hours.");
        // Headings of different lengths pick each of the first leads in turn; the second quote from the same source takes a same-source lead.
        var bodies = Enumerable.Range(0, 6).SelectMany(n => new[]
        {
            Prose().Section(Plan(new string('x', n + 1), paired, other)),
            Prose().Section(Plan(new string('x', n + 1), other, paired)),
            Prose().Section(Plan(new string('x', n + 1), paired, From("Shift Work and Sleep", authors, "Rotating shifts forward is easier than backward."))),
        }).Concat([Prose("newsletter").Section(Plan("Shift Work", paired))]).ToArray();

        var singular = new Regex(Regex.Escape(Name(paired)) + @",? (also )?(writes|puts|observes|adds|takes|goes)\b");
        Assert.All(bodies, b => Assert.DoesNotMatch(singular, b));
        Assert.Contains(bodies, b => b.Contains(Name(paired) + " write", StringComparison.Ordinal));
    }

    [Fact]
    public void OneAuthorWrittenSurnameFirstKeepsTheSingularVerb()
    {
        var body = Prose().Section(Plan("xx", From("Deep Work", "Newport, Cal"), From("Other", "Mara Ode")));

        Assert.False(ExtractiveProse.HasSeveralAuthors(From("Deep Work", "Newport, Cal")));
        Assert.Matches(@"Newport, Cal (writes|puts|observes)\b", body);
    }

    // ---------- capitals in restated claims ----------

    [Theory]
    [InlineData("Beirut in 1998 smelled of diesel and cardamom", "Beirut in 1998 smelled of diesel and cardamom")]
    [InlineData("Rosa kept the night shift for ten years", "Rosa kept the night shift for ten years")]
    [InlineData("The first offer anchors the whole negotiation", "the first offer anchors the whole negotiation")]
    [InlineData("Anchors pull the counter-offer toward them", "anchors pull the counter-offer toward them")]
    [InlineData("I keep a list of open questions", "I keep a list of open questions")]
    [InlineData("NATO talks ran for weeks", "NATO talks ran for weeks")]
    public void ARestatedClauseIsLowerCasedOnlyWhenItOpensWithACommonWord(string clause, string expected)
    {
        const string passage = "Most deals turn on the first number. Good anchors pull the counter-offer toward them; weak anchors do not.";

        Assert.Equal(expected, Claims.Inline(clause, passage + " " + clause));
    }
}
