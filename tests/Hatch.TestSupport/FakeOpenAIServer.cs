using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hatch.TestSupport;

/// <summary>One scripted answer of the fake provider.</summary>
public sealed record FakeReply
{
    public int Status { get; init; } = 200;
    /// <summary>The assistant message content of a 200 reply.</summary>
    public string Content { get; init; } = "";
    /// <summary>stop, length, content_filter.</summary>
    public string FinishReason { get; init; } = "stop";
    /// <summary>A raw response body, sent instead of a generated one (error bodies, garbage).</summary>
    public string? RawBody { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>How long to wait before answering (honours the client hanging up).</summary>
    public TimeSpan Delay { get; init; }
    /// <summary>Abort the connection instead of answering.</summary>
    public bool Drop { get; init; }
    public int PromptTokens { get; init; } = 100;
    public int CompletionTokens { get; init; } = 50;

    public static FakeReply Text(string content, string finishReason = "stop") => new() { Content = content, FinishReason = finishReason };

    /// <summary>An OpenAI-style error: {"error":{"message","type","code"}}, optionally with Retry-After seconds.</summary>
    public static FakeReply Error(int status, string message, string? code = null, int? retryAfterSeconds = null) => new()
    {
        Status = status,
        RawBody = JsonSerializer.Serialize(new { error = new { message, type = "invalid_request_error", code, param = (string?)null } }),
        Headers = retryAfterSeconds is { } s ? new Dictionary<string, string> { ["Retry-After"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new Dictionary<string, string>(),
    };
}

/// <summary>A request the fake provider received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);
    public string? Model => Json?["model"]?.GetValue<string>();
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The response_format's json_schema name (Article, ArticlePlan, GroundingRepair), or null for JSON mode or plain text.</summary>
    public string? SchemaName => Json?["response_format"]?["json_schema"]?["name"]?.GetValue<string>();

    /// <summary>All message contents joined, in order (system first).</summary>
    public string MessagesText => string.Join("\n", (Json?["messages"]?.AsArray() ?? []).Select(m => m?["content"]?.ToString() ?? ""));
}

/// <summary>
/// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol (<c>POST /v1/chat/completions</c>,
/// bearer auth) and Azure OpenAI's deployment route (<c>/openai/deployments/{d}/chat/completions?api-version=…</c>,
/// <c>api-key</c> header), so the real Semantic Kernel connectors run against it. Answers come from a queue of
/// scripted replies, then from <see cref="Responder"/> or <see cref="DefaultReply"/>; every request is recorded.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _queue = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeOpenAIServer(WebApplication app) => _app = app;

    /// <summary>When set, OpenAI routes require "Authorization: Bearer KEY" and Azure routes "api-key: KEY".</summary>
    public string? ApiKey { get; set; }

    /// <summary>Answers when the queue is empty; defaults to an empty 200 reply.</summary>
    public FakeReply DefaultReply { get; set; } = FakeReply.Text("ok");

    /// <summary>Computes an answer when the queue is empty (takes precedence over <see cref="DefaultReply"/>).</summary>
    public Func<RecordedRequest, FakeReply>? Responder { get; set; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The base URL an OpenAI-compatible client takes: http://127.0.0.1:PORT/v1</summary>
    public Uri OpenAIEndpoint => new(BaseUri, "/v1");

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>How long every reply waits unless it sets its own <see cref="FakeReply.Delay"/> (a model's latency).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, a share of chat calls fails the way real providers do (see <see cref="FakeFaults"/>).</summary>
    public FakeFaults? Faults { get; set; }

    /// <summary>False keeps no copy of each request (load drills send thousands); <see cref="Requests"/> stays empty.</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Chat calls answered so far, recorded or not.</summary>
    public int CallCount => _callCount;

    private int _callCount;

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies) _queue.Enqueue(reply);
    }

    public static async Task<FakeOpenAIServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var server = new FakeOpenAIServer(app);
        app.MapPost("/v1/chat/completions", context => server.HandleAsync(context, azure: false));
        app.MapPost("/chat/completions", context => server.HandleAsync(context, azure: false));
        app.MapPost("/openai/deployments/{deployment}/chat/completions", context => server.HandleAsync(context, azure: true));
        app.MapPost("/openai/v1/chat/completions", context => server.HandleAsync(context, azure: true));
        server.MapEmbeddings(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    private async Task HandleAsync(HttpContext context, bool azure)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body, DateTimeOffset.UtcNow);
        Interlocked.Increment(ref _callCount);
        if (RecordRequests) _requests.Enqueue(request);

        if (ApiKey is not null)
        {
            var presented = azure ? request.Header("api-key") : request.Header("Authorization");
            var expected = azure ? ApiKey : "Bearer " + ApiKey;
            if (presented != expected)
            {
                await WriteAsync(context, FakeReply.Error(401, "Incorrect API key provided.", "invalid_api_key"), request);
                return;
            }
        }
        if (azure && !context.Request.Query.ContainsKey("api-version") && !request.Path.StartsWith("/openai/v1", StringComparison.Ordinal))
        {
            await WriteAsync(context, FakeReply.Error(404, "Resource not found (api-version is missing)"), request);
            return;
        }

        var reply = _queue.TryDequeue(out var queued) ? queued : Faults?.Next() ?? Responder?.Invoke(request) ?? DefaultReply;
        if (reply.Delay == TimeSpan.Zero && Latency > TimeSpan.Zero) reply = reply with { Delay = Latency };
        await WriteAsync(context, reply, request);
    }

    private static async Task WriteAsync(HttpContext context, FakeReply reply, RecordedRequest request)
    {
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        if (reply.Drop)
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
            context.Response.Headers[name] = value;
        context.Response.ContentType = "application/json";
        var body = reply.RawBody ?? JsonSerializer.Serialize(new
        {
            id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..12],
            @object = "chat.completion",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model = request.Model ?? "fake-model",
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new { role = "assistant", content = reply.Content },
                    finish_reason = reply.FinishReason,
                    logprobs = (object?)null,
                },
            },
            usage = new
            {
                prompt_tokens = reply.PromptTokens,
                completion_tokens = reply.CompletionTokens,
                total_tokens = reply.PromptTokens + reply.CompletionTokens,
            },
        });
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    // ---- Embeddings: OpenAI POST /v1/embeddings and Azure /openai/deployments/{d}/embeddings ----

    private readonly ConcurrentQueue<RecordedRequest> _embeddingRequests = new();

    /// <summary>Embedding requests received, apart from the chat requests in <see cref="Requests"/>.</summary>
    public IReadOnlyList<RecordedRequest> EmbeddingRequests => _embeddingRequests.ToArray();

    /// <summary>Size of the deterministic vectors the embeddings routes return.</summary>
    public int EmbeddingDimensions { get; set; } = 16;

    /// <summary>The vector for one input; defaults to <see cref="DeterministicEmbedding"/>.</summary>
    public Func<string, float[]>? EmbeddingOf { get; set; }

    /// <summary>When it returns a reply (an error, a delay, a drop), that is sent instead of the vectors.</summary>
    public Func<RecordedRequest, FakeReply?>? EmbeddingFault { get; set; }

    /// <summary>A vector that depends only on the text (SHA-256 bytes), so the same text always gets the same vector.</summary>
    public static float[] DeterministicEmbedding(string text, int dimensions)
    {
        var vector = new float[dimensions];
        var seed = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text));
        for (var i = 0; i < dimensions; i++) vector[i] = (seed[i % seed.Length] - 127.5f) / 127.5f + i / 1000f;
        return vector;
    }

    private void MapEmbeddings(WebApplication app)
    {
        app.MapPost("/v1/embeddings", context => HandleEmbeddingsAsync(context, azure: false));
        app.MapPost("/embeddings", context => HandleEmbeddingsAsync(context, azure: false));
        app.MapPost("/openai/deployments/{deployment}/embeddings", context => HandleEmbeddingsAsync(context, azure: true));
        app.MapPost("/openai/v1/embeddings", context => HandleEmbeddingsAsync(context, azure: true));
    }

    private async Task HandleEmbeddingsAsync(HttpContext context, bool azure)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body, DateTimeOffset.UtcNow);
        _embeddingRequests.Enqueue(request);

        if (ApiKey is not null && (azure ? request.Header("api-key") : request.Header("Authorization")) != (azure ? ApiKey : "Bearer " + ApiKey))
        {
            await WriteAsync(context, FakeReply.Error(401, "Incorrect API key provided.", "invalid_api_key"), request);
            return;
        }
        if (azure && !context.Request.Query.ContainsKey("api-version") && !request.Path.StartsWith("/openai/v1", StringComparison.Ordinal))
        {
            await WriteAsync(context, FakeReply.Error(404, "Resource not found (api-version is missing)"), request);
            return;
        }
        if (EmbeddingFault?.Invoke(request) is { } fault)
        {
            await WriteAsync(context, fault, request);
            return;
        }

        var json = request.Json!;
        var inputs = json["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToArray() : [json["input"]!.GetValue<string>()];
        var dimensions = json["dimensions"]?.GetValue<int>() ?? EmbeddingDimensions;
        // The OpenAI .NET client asks for base64 (little-endian float32); curl-style clients for a float list.
        var base64 = json["encoding_format"]?.GetValue<string>() == "base64";
        var data = inputs.Select((text, index) =>
        {
            var vector = EmbeddingOf?.Invoke(text) ?? DeterministicEmbedding(text, dimensions);
            object embedding = base64 ? Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())) : vector;
            return new { @object = "embedding", index, embedding };
        }).ToArray();
        var tokens = inputs.Sum(i => Math.Max(1, i.Length / 4));
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            @object = "list",
            data,
            model = request.Model ?? "fake-embedding-model",
            usage = new { prompt_tokens = tokens, total_tokens = tokens },
        }), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Faults a real provider shows under load, injected into a share of chat calls: 429 with Retry-After, 500, 503,
/// a 200 whose body is broken JSON, a 200 whose article is not JSON, and a reply cut off at the output limit
/// (finish_reason "length"). Thread-safe; counts what it injected by kind.
/// </summary>
public sealed class FakeFaults(double rate, int seed = 8, int retryAfterSeconds = 1)
{
    public static readonly IReadOnlyList<string> Kinds = ["429", "500", "503", "malformed-body", "malformed-article", "truncated"];

    private readonly Random _random = new(seed);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _injected = new();

    /// <summary>The share of calls that fail, 0..1.</summary>
    public double Rate { get; } = rate;

    public IReadOnlyDictionary<string, int> Injected => _injected;

    public int Total => _injected.Values.Sum();

    /// <summary>A fault for this call, or null to answer normally.</summary>
    public FakeReply? Next()
    {
        string kind;
        lock (_random)
        {
            if (_random.NextDouble() >= Rate) return null;
            kind = Kinds[_random.Next(Kinds.Count)];
        }
        _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return kind switch
        {
            "429" => FakeReply.Error(429, "Rate limit reached for requests.", "rate_limit_exceeded", retryAfterSeconds),
            "500" => FakeReply.Error(500, "The server had an error while processing your request.", "server_error"),
            "503" => FakeReply.Error(503, "The engine is currently overloaded, please try again later.", "overloaded"),
            "malformed-body" => new FakeReply { RawBody = "{\"id\":\"chatcmpl-broken\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":" },
            "malformed-article" => FakeReply.Text("{\"title\": \"An article that stops half-way"),
            _ => FakeReply.Text("{\"title\": \"An article cut off by the output", finishReason: "length"),
        };
    }
}
