using Hatch.Writing.Text;

namespace Hatch.Writing.Tests.Text;

public sealed class KeyPhrasesTests
{
    private static IReadOnlyList<IReadOnlyList<Token>> Documents(params string[] texts) =>
        texts.Select(t => (IReadOnlyList<Token>)Tokenizer.Tokenize(t)).ToArray();

    private static IReadOnlyList<IReadOnlyList<KeyPhrase>> Phrases(IReadOnlyList<IReadOnlyList<Token>> docs, params int[][] groups) =>
        KeyPhrases.ForGroups(docs, groups, perGroup: 4);

    [Fact]
    public void AWordUsedAsAThingReadsMoreNounLikeThanOneUsedAsACommand()
    {
        var roles = WordRoles.Measure(Documents(
            "The practice of the week is hard. Your practice shows.",
            "Reread the chapter. You reread it twice. We reread your notes."));

        Assert.True(roles.Nounness(Stemmer.Stem("practice")) > 0.7);
        Assert.True(roles.Nounness(Stemmer.Stem("reread")) < 0.3);
    }

    [Theory]
    [InlineData("slowly", true)]
    [InlineData("deeply", true)]
    [InlineData("daily", false)]
    [InlineData("family", false)]
    [InlineData("reply", false)]
    public void WordsEndingInLyAreAdverbsExceptAFewNounsAndAdjectives(string word, bool adverb) =>
        Assert.Equal(adverb, WordRoles.IsAdverb(word));

    [Fact]
    public void ARepeatedTwoWordPhraseNamesTheGroupOnItsOwn()
    {
        var docs = Documents(
            "Deliberate practice works at the edge of your ability.",
            "The deliberate practice of scales is dull but it pays.",
            "Coaches design deliberate practice around one weakness.",
            "The budget of a household is a plan for money.",
            "A budget tells the money where to go each month.");

        var headings = KeyPhrases.Headings(Phrases(docs, [0, 1, 2], [3, 4]));

        Assert.Equal("Deliberate Practice", headings[0].Heading);
        Assert.Contains("Budget", headings[1].Heading);
    }

    [Fact]
    public void AdviceCuesAndAdverbsNeverNameAGroup()
    {
        var docs = Documents(
            "Avoid checking email later. Try to avoid it always, and never check it quickly.",
            "Avoid meetings later in the day; try to keep them short and always end quickly.",
            "Try to avoid the inbox later, you should always close it quickly.",
            "Sleep is the foundation of memory. The brain needs sleep.");

        var phrases = Phrases(docs, [0, 1, 2], [3]);

        var cues = new[] { "avoid", "try", "later", "always", "never", "should", "keep", "quickly" };
        Assert.All(phrases.SelectMany(g => g), p => Assert.DoesNotContain(p.Text.Split(' '), cues.Contains));
    }

    [Fact]
    public void AWordWrittenAsBothVerbAndNounIsShownInItsNounForm()
    {
        var docs = Documents(
            "Write every morning. Write before email. Write one page.",
            "Daily writing is a habit. The writing comes first.",
            "Your writing improves when the writing is daily.");

        var lead = KeyPhrases.Headings(Phrases(docs, [0, 1, 2]))[0].Heading;

        Assert.DoesNotContain("Write ", lead + " ");
        Assert.Contains("Writing", lead);
    }

    [Fact]
    public void LaterHeadingsDoNotReuseAWordAnEarlierHeadingUsed()
    {
        var docs = Documents(
            "Attention is a spotlight. Your attention tires like a muscle.",
            "Attention residue lingers after a switch; attention residue costs focus.",
            "The attention of a reader is scarce. Attention is the currency of focus.",
            "Your attention and the focus of a team are fragile.");

        var headings = KeyPhrases.Headings(Phrases(docs, [0, 1], [2, 3]));

        var first = headings[0].Heading.Split(' ').Where(w => w != "and").ToHashSet();
        Assert.DoesNotContain(headings[1].Heading.Split(' '), first.Contains);
    }
}
