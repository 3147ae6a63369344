using System.Text.Json;

namespace Hatch.Web.Tests;

public abstract partial class WebAppTests
{
    /// <summary>docs/web.md promises mode=keyword|semantic|hybrid; the API reference says what each does, too.</summary>
    [Fact]
    public async Task TheOpenApiDocumentDescribesEachSearchMode()
    {
        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var parameters = document.GetProperty("paths").GetProperty("/api/highlights").GetProperty("get").GetProperty("parameters");
        var mode = Assert.Single(parameters.EnumerateArray(), p => string.Equals(p.GetProperty("name").GetString(), "mode", StringComparison.OrdinalIgnoreCase));
        var description = mode.TryGetProperty("description", out var d) ? d.GetString() : null;
        Assert.NotNull(description);
        foreach (var word in new[] { "keyword", "semantic", "hybrid" })
            Assert.Contains(word, description);
    }
}
