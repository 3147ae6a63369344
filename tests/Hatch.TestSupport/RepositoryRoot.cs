namespace Hatch.TestSupport;

/// <summary>The checkout the tests run from: the folder above the test output that holds HatchService.sln (samples/, docs/, prompts/).</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Found = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HatchService.sln"))) return dir.FullName;
        throw new InvalidOperationException($"The repository root (HatchService.sln) was not found above {AppContext.BaseDirectory}");
    });

    public static string Path => Found.Value;

    /// <summary>A path inside the checkout, e.g. <c>Combine("samples", "readwise.csv")</c>.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
}
