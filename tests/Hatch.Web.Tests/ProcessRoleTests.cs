using System.Net;
using System.Net.Http.Json;
using Hatch.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>A web-only process (Hatch:Jobs:RunWorker=false) on its own PostgreSQL database, shared with worker hosts.</summary>
public sealed class WebOnlyAppFactory : HatchAppFactory
{
    public string Database => OwnedPostgresDatabase;

    protected override string ConnectionString => Database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Jobs:RunWorker", "false");
    }
}

/// <summary>Several processes sharing one PostgreSQL: a web-only front door and a `--role worker` process.</summary>
public sealed class ProcessRoleTests(WebOnlyAppFactory web) : IClassFixture<WebOnlyAppFactory>
{
    private sealed record Accepted(Guid Id, string Status);
    private sealed record HatchStatus(Guid Id, string Status, string? Stage, Guid? DraftId, string? Error);

    private static readonly object[] Highlights =
    [
        new { text = "Deliberate practice means working at the edge of your ability with immediate feedback.", source = "Peak" },
        new { text = "Feedback loops should be short, so mistakes are noticed while they are still cheap to fix.", source = "Peak" },
        new { text = "Attention is the scarcest resource; protect long blocks of uninterrupted time for deep work.", source = "Deep Work" },
    ];

    private async Task<(HttpClient Client, Guid RequestId)> SubmitAsync()
    {
        var (client, _) = await web.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", Highlights)).EnsureSuccessStatusCode();
        var response = await client.PostAsJsonAsync("/api/hatches", new { style = "briefing", length = "short" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (client, (await response.Content.ReadFromJsonAsync<Accepted>())!.Id);
    }

    private static Task<HatchStatus> StatusAsync(HttpClient client, Guid id) => client.GetFromJsonAsync<HatchStatus>($"/api/hatches/{id}")!;

    [Fact]
    public async Task AWebOnlyProcessAcceptsAHatchButNeverRunsIt()
    {
        var (client, id) = await SubmitAsync();
        // "Never runs" cannot be polled for: the wait is the assertion. A worker would pick the job up within a second
        // (long polling); a slow machine can only make this test pass more easily, never fail it wrongly.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var status = await StatusAsync(client, id);
        Assert.Equal(("Queued", (string?)null), (status.Status, status.DraftId?.ToString()));
        Assert.DoesNotContain(web.Services.GetServices<IHostedService>(), s => s.GetType().FullName!.Contains("BackgroundJobServer"));
    }

    [Fact]
    public async Task AWorkerProcessOnTheSameDatabaseRunsWhatTheWebOnlyProcessEnqueued()
    {
        var (client, id) = await SubmitAsync();
        Assert.Equal("Queued", (await StatusAsync(client, id)).Status);

        // The worker's own entry point, as `Hatch.Web --role worker` builds it, configured like an operator would.
        using var worker = WorkerRole.Build(["--role", "worker", "--environment", "Production", $"--ConnectionStrings:Hatch={web.Database}",
            "--Logging:LogLevel:Default=Warning"]);
        await worker.PrepareDatabaseAsync(); // Production: the schema the web process migrated is up to date
        await worker.StartAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HatchStatus status;
            while ((status = await StatusAsync(client, id)).Status is "Queued" or "Running")
            {
                Assert.True(DateTime.UtcNow < deadline, $"still {status.Status} a minute after the worker started");
                await Task.Delay(100);
            }
            Assert.True(status.Status == "Succeeded", $"{status.Status}: {status.Error}");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/drafts/{status.DraftId}")).StatusCode);
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}

public sealed class ProductionStartTests
{
    private sealed class MigratedPostgres(string connectionString, string environment) : HatchAppFactory
    {
        protected override string ConnectionString => connectionString;
        protected override string Environment => environment;
    }

    [Fact]
    public async Task ProductionStartsAgainstAnUpToDateDatabaseAndServesPages()
    {
        var database = TestPostgres.NewDatabase();
        await using (var development = new MigratedPostgres(database, "Development"))
            development.CreateClient().Dispose(); // Development migrates, as `hatch db migrate` would

        await using var production = new MigratedPostgres(database, "Production");
        // Production serves pages over HTTPS only (its cookies are always Secure).
        var client = production.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
        var (user, _) = await production.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/highlights")).StatusCode);

        await using var scope = production.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HatchDbContext>().Database.EnsureDeletedAsync();
    }
}
