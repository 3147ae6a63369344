namespace Hatch.Web.BrowserTests;

/// <summary>The embedded default (SQLite, the offline extractive writer) on a real Kestrel, with an editor account to publish.</summary>
public sealed class HostileBrowserFixture() : AppInBrowserFixture("hatch-hostile-browser-")
{
    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Hatch:Embeddings:Provider"] = "None",
    };

    protected override Task SeedAsync(IServiceProvider services) => AddEditorAsync(services);
}
