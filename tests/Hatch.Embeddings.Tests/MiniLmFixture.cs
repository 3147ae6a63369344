using Hatch.Writing.Themes;

namespace Hatch.Embeddings.Tests;

/// <summary>The evaluation set embedded once with the real model, shared by every test that needs vectors.</summary>
public sealed class MiniLmFixture : IAsyncLifetime
{
    public MiniLmEmbeddingGenerator Generator { get; } = new();
    public IReadOnlyList<EvalHighlight> Set { get; } = ThemeEvaluation.Load();
    public float[][] Vectors { get; private set; } = [];

    /// <summary>The set as the web app would hand it over: ids, vectors, texts, sources.</summary>
    public IReadOnlyList<EmbeddedHighlight> Library { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Vectors = await Generator.EmbedAsync(Set.Select(h => h.Text).ToArray());
        Library = Set.Select((h, i) => new EmbeddedHighlight(IdOf(i), Vectors[i], h.Text, h.Source)).ToArray();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static Guid IdOf(int index) => new(index + 1, 0, 0, new byte[8]);

    public static int IndexOf(Guid id) => BitConverter.ToInt32(id.ToByteArray(), 0) - 1;
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}
