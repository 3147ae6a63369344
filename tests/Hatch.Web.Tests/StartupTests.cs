using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hatch.Web.Tests;

/// <summary>Settings do what they say, or the app refuses to start and names the one that is wrong.</summary>
public sealed class StartupTests
{
    private sealed class Configured(string connectionString, string environment, params (string Key, string Value)[] settings) : HatchAppFactory
    {
        protected override string ConnectionString => connectionString;
        protected override string Environment => environment;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }

    private static string TempSqlite() => $"Data Source={Path.Combine(Path.GetTempPath(), $"hatch-start-{Guid.NewGuid():N}.db")}";

    private static string StartupError(Configured factory)
    {
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var messages = new StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException) messages.AppendLine(e.Message);
        return messages.ToString();
    }

    [Fact]
    public async Task ProductionOnTheEmbeddedSqliteFileMigratesAtStartAndServes()
    {
        await using var factory = new Configured(TempSqlite(), "Production");
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var (user, _) = await factory.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/highlights")).StatusCode);
    }

    [Fact]
    public async Task ProductionOnPostgresRefusesToStartWhileTheSchemaIsBehind()
    {
        var database = TestPostgres.NewDatabase();
        var name = new NpgsqlConnectionStringBuilder(database).Database;
        await using (var admin = new NpgsqlConnection(TestPostgres.Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using var factory = new Configured(database, "Production");
        Assert.Contains("hatch db migrate", StartupError(factory));
    }

    [Fact]
    public async Task AWebhookAddressWithoutASecretStopsTheAppAtStartNamingTheMissingKey()
    {
        await using var factory = new Configured(TempSqlite(), "Development", ("Hatch:Webhooks:PublishUrl", "https://hooks.example.com/published"));
        var error = StartupError(factory);
        Assert.Contains("Hatch:Webhooks:Secret", error);
        Assert.DoesNotContain("   at ", error.Split('\n')[0]);
    }

    [Fact]
    public async Task AnUnreadableConnectionStringStopsTheAppAtStartNamingTheKey()
    {
        await using var factory = new Configured("Host=127.0.0.1;Bogus Setting=1", "Development");
        Assert.Contains("ConnectionStrings:Hatch", StartupError(factory));
    }

    [Fact]
    public async Task ARateLimitOfZeroStopsTheAppAtStartNamingIt()
    {
        await using var factory = new Configured(TempSqlite(), "Development", ("Hatch:RateLimits:HatchesPerMinute", "0"));
        Assert.Contains("HatchesPerMinute", StartupError(factory));
    }
}

/// <summary><c>Hatch:Web:MaxUploadBytes</c> raised above the framework's own limits, on a real Kestrel.</summary>
public sealed class LargeUploadAppFactory : SqliteAppFactory
{
    public const long Limit = 40L * 1024 * 1024;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Web:MaxUploadBytes", Limit.ToString());
    }
}

public sealed class UploadLimitTests(LargeUploadAppFactory factory) : IClassFixture<LargeUploadAppFactory>
{
    [Fact]
    public async Task FilesUnderARaisedUploadLimitAreAcceptedByTheFormReaderAndByKestrel()
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var (client, _) = await factory.NewUserAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;

        // 12 MB is over the old multipart limit (taken from the default 10 MB); 32 MB is over Kestrel's default body size.
        foreach (var megabytes in new[] { 12, 32 })
        {
            var padding = new string('\n', megabytes * 1024 * 1024);
            using var upload = new MultipartFormDataContent
            {
                { new StringContent($"# A long book\n\n- Passage {megabytes} about practice.\n{padding}", Encoding.UTF8), "file", $"big-{megabytes}.md" },
            };
            var response = await http.PostAsync("/api/highlights/import", upload);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{megabytes} MB: {(int)response.StatusCode} {body}");
            Assert.Equal(1, JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt32());
        }
    }
}

/// <summary>Settings a client sends: null means the default, not an error.</summary>
public sealed class DigestSettingsNullTests(PostgresAppFactory factory) : IClassFixture<PostgresAppFactory>
{
    [Fact]
    public async Task PuttingStyleNullMeansTheDefaultStyle()
    {
        var (client, _) = await factory.NewUserAsync();
        var response = await client.PutAsync("/api/digest-settings", new StringContent(
            """{"enabled":true,"cadence":"weekly","dayOfWeek":"Monday","localTime":"09:00","timeZone":"Europe/Berlin","style":null}""",
            Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("essay", JsonDocument.Parse(body).RootElement.GetProperty("style").GetString());
    }
}
