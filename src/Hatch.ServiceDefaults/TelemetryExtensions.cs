using Hatch.Writing.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Npgsql;

namespace Hatch.ServiceDefaults;

public static class TelemetryExtensions
{
    public const string OtlpEndpointKey = "Hatch:Telemetry:OtlpEndpoint";

    /// <summary>Semantic Kernel's own sources (functions, connectors); prompt text stays out unless SK's sensitive switch is on.</summary>
    public static readonly string[] SemanticKernelSources = ["Microsoft.SemanticKernel*"];

    /// <summary>
    /// Exports Hatch's and Semantic Kernel's traces, metrics and logs over OTLP when an endpoint is configured
    /// (<c>Hatch:Telemetry:OtlpEndpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); registers nothing
    /// otherwise, so a laptop run or a test neither waits for nor complains about a missing collector.
    /// </summary>
    public static IHostApplicationBuilder AddHatchTelemetry(this IHostApplicationBuilder builder, string? serviceName = null)
    {
        var configured = builder.Configuration[OtlpEndpointKey];
        var standard = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (string.IsNullOrWhiteSpace(configured) && string.IsNullOrWhiteSpace(standard))
            return builder;
        if (!string.IsNullOrWhiteSpace(configured) && !Uri.TryCreate(configured, UriKind.Absolute, out _))
            throw new InvalidOperationException($"{OtlpEndpointKey} must be an absolute URL, got '{configured}'.");

        // The exporter reads OTEL_EXPORTER_OTLP_* itself; Hatch's own key, when set, wins.
        Uri? endpoint = string.IsNullOrWhiteSpace(configured) ? null : new Uri(configured);
        void Exporter(OpenTelemetry.Exporter.OtlpExporterOptions o)
        {
            if (endpoint is not null) o.Endpoint = endpoint;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName ?? builder.Environment.ApplicationName))
            .WithTracing(t => AddHatchInstrumentation(t).AddOtlpExporter(Exporter))
            .WithMetrics(m => AddHatchInstrumentation(m).AddOtlpExporter(Exporter));
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeScopes = true;
            o.AddOtlpExporter(Exporter);
        });
        return builder;
    }

    /// <summary>
    /// Hatch's and Semantic Kernel's sources, outgoing HTTP (model, embedding and sync calls; the W3C traceparent goes
    /// with them) and Npgsql's commands. The web host adds ASP.NET Core's; Hangfire jobs continue the trace of the
    /// request that enqueued them (<c>JobTracing</c> in Hatch.Features).
    /// </summary>
    public static TracerProviderBuilder AddHatchInstrumentation(TracerProviderBuilder tracing) =>
        tracing.AddSource(HatchTelemetry.Name).AddSource(SemanticKernelSources).AddHttpClientInstrumentation().AddNpgsql();

    /// <summary>Hatch's and Semantic Kernel's meters, outgoing HTTP, Npgsql and the .NET runtime (GC, heap, thread pool).</summary>
    public static MeterProviderBuilder AddHatchInstrumentation(MeterProviderBuilder metrics) =>
        metrics.AddMeter(HatchTelemetry.Name).AddMeter(SemanticKernelSources).AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddNpgsqlInstrumentation();
}
