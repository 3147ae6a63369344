using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hatch.Features.Sync;

public static class SyncExtensions
{
    /// <summary>
    /// Connections to Readwise and Hypothesis: one typed HttpClient per service (base address from
    /// <c>Hatch:Sync:{Service}:BaseUrl</c>, no retry handler: the sync job is the one retry layer), the connection
    /// service, the sync job and its dispatcher. The host registers <see cref="IConnectionTokenProtector"/>.
    /// </summary>
    public static IHostApplicationBuilder AddHatchSync(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<ReadwiseClient>((sp, client) => Configure(client, sp.GetRequiredService<IOptions<SyncOptions>>().Value, o => o.Readwise));
        services.AddHttpClient<HypothesisClient>((sp, client) => Configure(client, sp.GetRequiredService<IOptions<SyncOptions>>().Value, o => o.Hypothesis));
        services.AddScoped<ConnectionService>();
        services.AddScoped<SyncJob>();
        services.AddScoped<SyncDispatcher>();
        return builder;
    }

    private static void Configure(HttpClient client, SyncOptions options, Func<SyncOptions, ServiceEndpoint> endpoint)
    {
        var baseUrl = endpoint(options).BaseUrl;
        client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        client.Timeout = options.CallTimeout;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Hatch/1.0");
    }
}
