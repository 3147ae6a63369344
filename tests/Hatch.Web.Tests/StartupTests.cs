namespace Hatch.Web.Tests;

public sealed class StartupTests
{
    private sealed class ProductionOnEmptyDatabase : HatchAppFactory
    {
        private readonly string _file = Path.Combine(Path.GetTempPath(), $"hatch-prod-{Guid.NewGuid():N}.db");
        protected override string ConnectionString => $"Data Source={_file}";
        protected override string Environment => "Production";
    }

    [Fact]
    public void ProductionRefusesToStartWhileTheSchemaIsBehind()
    {
        using var factory = new ProductionOnEmptyDatabase();
        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("hatch db migrate", error.Message);
    }
}
