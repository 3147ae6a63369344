using Hatch.Domain.Highlights;
using Hatch.TestSupport;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;

namespace Hatch.Writing.Tests.Hatching;

/// <summary>
/// Blind readers found a section made of two stray highlights that belong to no theme (a café's cardamom bun and a
/// memory of Beirut in a negotiation library), which the conclusion then listed as a key point. Grouping is by meaning
/// here, with vectors written for the test so the geometry is known: two themes, and two strays that are close neither
/// to each other nor to anything else, from one source (so grouping by source pairs them).
/// </summary>
public sealed class ExtractiveStraySectionTests
{
    private static float[] Vector(params (int Axis, float Weight)[] parts)
    {
        var v = new float[8];
        foreach (var (axis, weight) in parts) v[axis] += weight;
        return v;
    }

    private static readonly (string Text, string Title, float[] Meaning)[] Library =
    [
        ("Silence after a number is uncomfortable, and the person who fills it usually fills it with a discount.", "The Second Offer", Vector((0, 1f), (2, 0.3f))),
        ("Anchoring works because the first number spoken becomes the ruler for every later number.", "The Second Offer", Vector((0, 1f), (3, 0.3f))),
        ("Precise numbers read as researched numbers, so the other side assumes you did the arithmetic.", "Deal Language", Vector((0, 1f), (4, 0.3f))),
        ("Your walk-away point is a number you write down the night before the meeting.", "Quiet Leverage", Vector((0, 1f), (2, 0.2f), (3, 0.2f))),
        ("Ask for advice, not approval: a person who has given advice has a stake in seeing it succeed.", "Yes Is a Process", Vector((1, 1f), (2, 0.3f))),
        ("People rarely change their minds in a single conversation; plan for three conversations.", "Yes Is a Process", Vector((1, 1f), (3, 0.3f))),
        ("Social proof persuades most when the others are like the listener in the conversation.", "Deal Language", Vector((1, 1f), (4, 0.3f))),
        ("Replace but with and when you answer a proposal, so the listener hears both halves.", "Quiet Leverage", Vector((1, 1f), (2, 0.2f), (4, 0.2f))),
        ("Beirut in 1998 smelled of diesel and jasmine, and every taxi driver was a philosopher with a theory about the port.", "Memoir of a Mediator", Vector((5, 1f), (0, 0.1f))),
        ("The café below our old office sold a cardamom bun so good that two colleagues moved flats to live nearer to it.", "Memoir of a Mediator", Vector((6, 1f), (1, 0.1f))),
    ];

    [Fact]
    public async Task TwoStrayHighlightsThatBelongToNoThemeDoNotMakeASection()
    {
        var highlights = Library.Select(h => new HighlightBuilder().Text(h.Text).From(h.Title).Build()).ToArray();
        var composer = new ExtractiveComposer(ArticleRequest.From(highlights), CancellationToken.None);
        var meaning = Library.ToDictionary(h => h.Text, h => h.Meaning);
        var vectors = composer.TextsRead.Select(t => meaning[t]).ToArray();

        var (article, _) = await composer.ComposeAsync(vectors);

        Assert.True(article.Sections.Count >= 2, string.Join(" | ", article.Sections.Select(s => s.Heading)));
        var text = string.Join("\n", article.Sections.Select(s => s.Heading + "\n" + s.Body).Append(article.Conclusion).Append(article.Overview));
        Assert.DoesNotContain("Beirut", text);
        Assert.DoesNotContain("cardamom", text);
        // Each real section survives: both themes are still there.
        Assert.Contains("number", text);
        Assert.Contains("conversation", text);
    }
}
