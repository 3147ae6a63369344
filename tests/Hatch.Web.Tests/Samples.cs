using Hatch.TestSupport;

namespace Hatch.Web.Tests;

internal static class Samples
{
    public static IReadOnlyList<string> Files
    {
        get
        {
            var folder = RepositoryRoot.Combine("samples");
            Assert.True(Directory.Exists(folder), $"{folder} is missing: the importers' sample files live there.");
            return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !Path.GetFileName(f).StartsWith("README", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        }
    }
}
