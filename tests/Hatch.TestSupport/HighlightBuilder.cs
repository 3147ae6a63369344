using Hatch.Domain.Highlights;

namespace Hatch.TestSupport;

/// <summary>Makes highlights for tests: a sensible default, changed one property at a time.</summary>
public sealed class HighlightBuilder
{
    private string _text = "Deliberate practice means working at the edge of your ability with immediate feedback.";
    private string? _note;
    private HighlightSource _source = new("Peak", "Anders Ericsson");
    private HighlightLocation? _location;
    private string[] _tags = [];
    private DateTimeOffset? _at;

    public HighlightBuilder Text(string text) { _text = text; return this; }
    public HighlightBuilder Note(string? note) { _note = note; return this; }
    public HighlightBuilder From(string title, string? author = null, string? url = null) { _source = new(title, author, url); return this; }
    public HighlightBuilder At(string location) { _location = new HighlightLocation(Location: location); return this; }
    public HighlightBuilder Tagged(params string[] tags) { _tags = tags; return this; }
    public HighlightBuilder On(DateTimeOffset at) { _at = at; return this; }

    public Highlight Build() => new()
    {
        Text = _text,
        Note = _note,
        Source = _source,
        Location = _location,
        Tags = _tags,
        HighlightedAt = _at,
    };

    public static Highlight Make(string text, string title = "A Book", string? note = null) =>
        new HighlightBuilder().Text(text).From(title).Note(note).Build();
}

/// <summary>Highlight sets with known shape: two clearly separate topics, and a generator for volume.</summary>
public static class SampleHighlights
{
    public static IReadOnlyList<Highlight> Sleep { get; } =
    [
        HighlightBuilder.Make("Sleep is the single most effective thing we can do to reset our brain and body health.", "Why We Sleep"),
        HighlightBuilder.Make("Adults who sleep fewer than six hours a night show measurable deficits in memory and attention.", "Why We Sleep"),
        HighlightBuilder.Make("You should keep a regular sleep schedule, going to bed and waking at the same hour each night.", "Why We Sleep"),
        HighlightBuilder.Make("Avoid caffeine after noon, because it keeps the brain alert and delays sleep well into the night.", "Why We Sleep"),
        HighlightBuilder.Make("Deep sleep consolidates the memories formed while awake, moving them into long-term storage in the brain.", "Why We Sleep"),
        HighlightBuilder.Make("A cool, dark bedroom helps the body drop its core temperature, so sleep arrives faster at night.", "Why We Sleep",
            note: "Buy blackout curtains for the bedroom this week."),
    ];

    public static IReadOnlyList<Highlight> Budgeting { get; } =
    [
        HighlightBuilder.Make("A budget is a plan that tells your money where to go, instead of wondering where the money went.", "Your Money Plan"),
        HighlightBuilder.Make("Track every expense for a month before you try to cut spending from the budget.", "Your Money Plan"),
        HighlightBuilder.Make("Pay yourself first: automate savings on payday so the money never reaches your checking account.", "Your Money Plan"),
        HighlightBuilder.Make("Households without an emergency fund borrow money at high interest when an unexpected expense arrives.", "Your Money Plan"),
        HighlightBuilder.Make("The fifty-thirty-twenty rule splits income between needs, wants and savings in every budget.", "Your Money Plan"),
        HighlightBuilder.Make("Review your budget each month and adjust the spending categories that keep running over.", "Your Money Plan"),
    ];

    private static readonly string[][] Topics =
    [
        ["deliberate", "practice", "feedback", "skill", "expert", "coach", "repetition", "mastery", "performance", "training"],
        ["sleep", "memory", "brain", "rest", "night", "dream", "caffeine", "bedroom", "fatigue", "nap"],
        ["budget", "money", "savings", "expense", "income", "debt", "interest", "spending", "account", "investment"],
        ["writing", "draft", "sentence", "editor", "reader", "story", "paragraph", "revision", "clarity", "voice"],
        ["leadership", "team", "trust", "meeting", "decision", "manager", "culture", "delegation", "conflict", "goal"],
    ];

    private static readonly string[] Frames =
    [
        "The {0} of a {1} depends on {2} more than on talent.",
        "You should protect your {0} because {1} and {2} suffer without it.",
        "Most people misjudge how {0} shapes {1}, and the cost shows up in {2}.",
        "Track your {0} for a week and notice what happens to {1} and {2}.",
        "Research on {0} finds that {1} improves when {2} is steady.",
        "A small change in {0} compounds into better {1} over a year of {2}.",
        "Avoid treating {0} as separate from {1}; both feed {2}.",
    ];

    /// <summary>Highlights drawn from five topics with a fixed seed: the same list every time.</summary>
    public static IReadOnlyList<Highlight> Generated(int count, int seed = 7)
    {
        var random = new Random(seed);
        var highlights = new List<Highlight>(count);
        for (var i = 0; i < count; i++)
        {
            var topic = Topics[random.Next(Topics.Length)];
            string Word() => topic[random.Next(topic.Length)];
            var text = string.Format(Frames[random.Next(Frames.Length)], Word(), Word(), Word());
            if (random.Next(3) == 0) text += " " + string.Format(Frames[random.Next(Frames.Length)], Word(), Word(), Word());
            highlights.Add(new HighlightBuilder()
                .Text(text)
                .From($"Book {i % 37}", $"Author {i % 11}")
                .At($"{100 + i}-{104 + i}")
                .Note(random.Next(10) == 0 ? $"Try the {Word()} idea with the {Word()} next week." : null)
                .Build());
        }
        return highlights;
    }
}

/// <summary>A clock that always reads the same instant, so rendered bylines are comparable.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static FixedTime Default { get; } = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Two topics, each named by a two-word phrase and wrapped in the advice wording that used to leak into headings.</summary>
public static class TwoTopicHighlights
{
    private static readonly string[] PracticeFrames =
    [
        "Avoid mindless repetition; deliberate practice targets the one skill you cannot yet perform.",
        "Try to end deliberate practice before fatigue sets in, and always note the mistake.",
        "The coach designs deliberate practice around immediate feedback on a single weakness.",
        "You should never confuse deliberate practice with playing what you already know.",
        "Later sessions of deliberate practice go better when the feedback arrives quickly.",
        "A musician's deliberate practice isolates the hardest bar and repeats it slowly.",
    ];

    private static readonly string[] AttentionFrames =
    [
        "Avoid switching tasks later in the morning; attention residue lingers for twenty minutes.",
        "Attention residue from an unfinished email follows you into the next meeting.",
        "Try to finish one task fully, because attention residue makes the next one slower.",
        "You should always close the inbox: attention residue builds with every glance.",
        "Task switching leaves attention residue that quietly lowers the quality of work.",
        "The cost of task switching is attention residue, never the switch itself.",
    ];

    public static IReadOnlyList<Highlight> Make() =>
        PracticeFrames.Select(t => HighlightBuilder.Make(t, "Peak Performance"))
            .Concat(AttentionFrames.Select(t => HighlightBuilder.Make(t, "Deep Focus")))
            .ToArray();
}

/// <summary>Passages on practice and work, each distinct, for tests and benches that need a small library.</summary>
public static class PracticePassages
{
    public static IReadOnlyList<string> All { get; } =
    [
        "Deliberate practice means working at the edge of your ability with immediate feedback.",
        "Habits compound: small improvements repeated daily produce remarkable results over years.",
        "Attention is the scarcest resource; protect long blocks of uninterrupted time for deep work.",
        "Feedback loops should be short, so mistakes are noticed while they are still cheap to fix.",
        "Writing is thinking made visible; drafting forces vague ideas to become precise.",
        "Rest is part of training: skill consolidates during sleep and during breaks from practice.",
        "A checklist frees attention for the parts of the work that need judgement.",
        "Teaching a skill is the fastest way to find the gaps in your own understanding of it.",
    ];
}
