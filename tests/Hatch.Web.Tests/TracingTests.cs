using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.ServiceDefaults;
using Hatch.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Web.Tests;

/// <summary>The app with an OpenAI-compatible model and tracing to an in-memory exporter instead of an OTLP collector.</summary>
public sealed class TracedAppFactory : HatchAppFactory
{
    public FakeOpenAIServer Llm { get; } = FakeOpenAIServer.StartAsync().GetAwaiter().GetResult();

    /// <summary>Every span this host's tracer exported (the listener is process-wide: other tests' spans land here too).</summary>
    public SpanList Spans { get; } = new();

    protected override string ConnectionString => OwnedPostgresDatabase;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hatch:Llm:Provider", "OpenAICompatible");
        builder.UseSetting("Hatch:Llm:Model", "test-model");
        builder.UseSetting("Hatch:Llm:Endpoint", Llm.OpenAIEndpoint.ToString());
        builder.UseSetting("Hatch:Llm:Pipeline", "Single");
        // The instrumentation Hatch exports over OTLP (ASP.NET Core's comes from the web host's own set-up), to memory.
        builder.ConfigureTestServices(services => services.AddOpenTelemetry()
            .WithTracing(t => TelemetryExtensions.AddHatchInstrumentation(t).AddInMemoryExporter(Spans)));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Llm.DisposeAsync();
    }

    /// <summary>The exporter adds from whichever thread stops a span.</summary>
    public sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];
        public Activity[] Snapshot() { lock (_items) return [.. _items]; }
        public void Add(Activity item) { lock (_items) _items.Add(item); }
        public void Clear() { lock (_items) _items.Clear(); }
        public bool Contains(Activity item) { lock (_items) return _items.Contains(item); }
        public void CopyTo(Activity[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
        public bool Remove(Activity item) { lock (_items) return _items.Remove(item); }
        public int Count { get { lock (_items) return _items.Count; } }
        public bool IsReadOnly => false;
        public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)Snapshot()).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

public sealed class TracingTests(TracedAppFactory factory) : IClassFixture<TracedAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task OneTraceRunsFromTheApiRequestThroughTheHangfireJobToTheModelCall()
    {
        factory.Llm.Responder = _ => FakeReply.Text(ArticleJson.ValidJson(1, 2));
        var (client, _) = await factory.NewUserAsync();
        (await client.PostAsJsonAsync("/api/highlights", new object[]
        {
            new { text = "Deliberate practice means working at the edge of your ability with immediate feedback.", source = "Peak" },
            new { text = "Attention is the scarcest resource; protect long blocks of time for deep work.", source = "Deep Work" },
        })).EnsureSuccessStatusCode();
        var modelCallsBefore = factory.Llm.Requests.Count;

        var accepted = await client.PostAsJsonAsync("/api/hatches", new { });
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetGuid();

        // The request's span, the job's span and the model call's span, all of one trace; polled, since the job's
        // span ends after the status a client sees has already turned Succeeded.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        Activity? request = null, job = null, model = null;
        while (DateTime.UtcNow < deadline)
        {
            var spans = factory.Spans.Snapshot();
            request = spans.FirstOrDefault(a => a.Kind == ActivityKind.Server && a.GetTagItem("http.request.method") as string == "POST"
                && a.GetTagItem("url.path") as string == "/api/hatches");
            if (request is not null)
            {
                job = spans.FirstOrDefault(a => a.TraceId == request.TraceId && a.DisplayName == "job HatchJob.RunAsync");
                model = spans.FirstOrDefault(a => a.TraceId == request.TraceId && a.Kind == ActivityKind.Client
                    && (a.GetTagItem("url.full") as string ?? "").StartsWith(factory.Llm.OpenAIEndpoint.ToString().TrimEnd('/'), StringComparison.Ordinal));
                if (job is not null && model is not null) break;
            }
            await Task.Delay(200);
        }

        Assert.True(request is not null, "no span for POST /api/hatches");
        Assert.True(job is not null, $"no Hangfire job span in trace {request.TraceId}");
        Assert.True(model is not null, $"no model call span in trace {request.TraceId}");
        Assert.Equal(request.SpanId, job.ParentSpanId);
        Assert.Equal("Succeeded", (await client.GetFromJsonAsync<JsonElement>($"/api/hatches/{id}", Json)).GetProperty("status").GetString());
        // The model server itself was told the trace (W3C traceparent), as a real provider's gateway would be.
        Assert.Contains(factory.Llm.Requests.Skip(modelCallsBefore), r => r.Header("traceparent")?.Contains(request.TraceId.ToHexString()) == true);
    }
}
