namespace Hatch.Web.Tests;

internal static class Samples
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "HatchService.sln"))) return dir.FullName;
            throw new InvalidOperationException("The repository root (HatchService.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    public static IReadOnlyList<string> Files
    {
        get
        {
            var folder = Path.Combine(RepositoryRoot, "samples");
            Assert.True(Directory.Exists(folder), $"{folder} is missing: the importers' sample files live there.");
            return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !Path.GetFileName(f).StartsWith("README", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        }
    }
}
