namespace Hatch.Writing.Themes;

/// <summary>
/// A highlight as the semantic services see it: its id, its unit-length embedding, its text (for key phrases and
/// word overlap) and its source title. The services are pure functions over these, so the web app can feed them
/// from stored vectors without the services knowing about the database.
/// </summary>
public sealed record EmbeddedHighlight(Guid Id, float[] Vector, string Text, string Source);

/// <summary>A highlight close in meaning to another, with the cosine similarity that says how close.</summary>
public sealed record RelatedHighlight(Guid Id, float Score);
