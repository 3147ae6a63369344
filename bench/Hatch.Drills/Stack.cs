using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Hatch.Drills;

/// <summary>What a drill tunes in the app's configuration.</summary>
internal sealed record StackSettings
{
    public int WorkersPerProcess { get; init; } = 24;
    public int MaxConcurrentCalls { get; init; } = 20;
    public TimeSpan InvisibilityTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan OrphanAfter { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// One drill's running system: its own database on the PostgreSQL server, a web process that serves the API but runs
/// no jobs (Hatch:Jobs:RunWorker=false), and any number of `--role worker` processes, all pointed at the fake model
/// server. Also the drill's API client (one registered user with imported highlights) and its database checks.
/// </summary>
internal sealed partial class Stack : IAsyncDisposable
{
    public const int Sources = 25;
    public const int HighlightsPerSource = 4;

    private readonly Dictionary<string, string> _environment;
    private readonly string _webDll;
    private readonly List<AppProcess> _processes = [];
    private int _workerNumber;

    private Stack(string name, string database, string webDll, Dictionary<string, string> environment, string logFolder, int port)
    {
        Name = name;
        Database = database;
        _webDll = webDll;
        _environment = environment;
        LogFolder = logFolder;
        BaseUri = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }
    public string Database { get; }
    public string LogFolder { get; }
    public Uri BaseUri { get; }
    public HttpClient Http { get; }
    public string UserId { get; private set; } = "";
    public IReadOnlyList<AppProcess> Workers => _processes.Where(p => p.Name.StartsWith("worker", StringComparison.Ordinal)).ToArray();

    public static async Task<Stack> StartAsync(string name, PgServer pg, Uri modelEndpoint, string webDll, string logRoot, StackSettings settings)
    {
        var database = "drill_" + name.Replace('-', '_') + "_" + DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var port = PgServer.FreePort();
        var logFolder = Directory.CreateDirectory(Path.Combine(logRoot, name)).FullName;
        var environment = new Dictionary<string, string>
        {
            // Development applies the migrations at start (the web process starts first, so workers find the schema ready).
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Hatch"] = pg.For(database) + ";Maximum Pool Size=60",
            ["Hatch__Llm__Provider"] = "OpenAICompatible",
            ["Hatch__Llm__Endpoint"] = modelEndpoint.ToString(),
            ["Hatch__Llm__Model"] = "drill-model",
            // The drills measure one call per draft, as they did before the Planned pipeline (bench/Hatch.LlmBench `pipeline` compares the two).
            ["Hatch__Llm__Pipeline"] = "Single",
            ["Hatch__Llm__ApiKey"] = "drill-key",
            ["Hatch__Llm__StructuredOutput"] = "json_schema",
            ["Hatch__Llm__MaxTokensParameter"] = "max_completion_tokens",
            ["Hatch__Llm__MaxConcurrentCalls"] = settings.MaxConcurrentCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hatch__Llm__CallTimeout"] = settings.CallTimeout.ToString(),
            ["Hatch__Llm__RequestDeadline"] = settings.RequestDeadline.ToString(),
            ["Hatch__Llm__RetryBaseDelay"] = "00:00:00.250",
            ["Hatch__Llm__RetryMaxDelay"] = "00:00:02",
            ["Hatch__Embeddings__Provider"] = "None",
            ["Hatch__Jobs__WorkerCount"] = settings.WorkersPerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hatch__Jobs__OrphanAfter"] = settings.OrphanAfter.ToString(),
            ["Hatch__Jobs__InvisibilityTimeout"] = settings.InvisibilityTimeout.ToString(),
            ["Hatch__RateLimits__HatchesPerMinute"] = "1000000",
            ["Hatch__RateLimits__ImportsPerMinute"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Hatch.Core.Jobs"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        var stack = new Stack(name, database, webDll, environment, logFolder, port);
        var web = new Dictionary<string, string>(environment) { ["Hatch__Jobs__RunWorker"] = "false" };
        stack._processes.Add(AppProcess.Start("web", webDll, web, logFolder, worker: false));
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return stack;
    }

    public AppProcess StartWorker()
    {
        var worker = AppProcess.Start($"worker{++_workerNumber}", _webDll, _environment, LogFolder, worker: true);
        _processes.Add(worker);
        return worker;
    }

    /// <summary>Waits until this many Hangfire servers (the workers) have registered with the storage.</summary>
    public async Task WaitForServersAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await ScalarAsync<long>("SELECT count(*) FROM hangfire.server") >= count) return;
            }
            catch (PostgresException) { } // the schema is being created
            await Task.Delay(250);
        }
        throw new TimeoutException($"{count} worker(s) did not register within {timeout}; see {LogFolder}");
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_processes[0].HasExited) throw new InvalidOperationException($"the web process exited; see {_processes[0].LogPath}");
            try
            {
                if ((await Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the web app was not healthy within {timeout}; see {_processes[0].LogPath}");
    }

    /// <summary>Registers a user, signs in with a bearer token and imports <see cref="Sources"/> × <see cref="HighlightsPerSource"/> highlights.</summary>
    public async Task PrepareUserAsync()
    {
        var email = $"drill-{Guid.NewGuid():N}@example.com";
        const string password = "Drill-password-1!";
        (await Http.PostAsJsonAsync("/api/auth/register", new { email, password })).EnsureSuccessStatusCode();
        var login = await (await Http.PostAsJsonAsync("/api/auth/login", new { email, password })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());

        var highlights = Enumerable.Range(1, Sources).SelectMany(s => Enumerable.Range(1, HighlightsPerSource).Select(h => new
        {
            text = $"Passage {h} of book {s}: practice at the edge of what you can do, then rest, then look back at what changed ({s}.{h}).",
            source = new { title = SourceTitle(s), author = "Drill Author", url = (string?)null },
            tags = new[] { "drill" },
        })).ToArray();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { highlights })));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "file", "drill-highlights.json");
        var report = await (await Http.PostAsync("/api/highlights/import", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var imported = report.GetProperty("imported").GetInt32();
        if (imported != Sources * HighlightsPerSource)
            throw new InvalidOperationException($"imported {imported} highlights, expected {Sources * HighlightsPerSource}: {report}");
        UserId = await ScalarAsync<string>("SELECT \"UserId\" FROM highlights LIMIT 1");
    }

    public static string SourceTitle(int s) => $"Drill Book {s:D2}";

    /// <summary>Submits hatch requests through POST /api/hatches, a few at a time; returns the accepted ids (and counts refusals).</summary>
    public async Task<IReadOnlyList<Guid>> SubmitAsync(int count, int parallel = 8)
    {
        var ids = new Guid[count];
        var refused = 0;
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await Http.PostAsJsonAsync("/api/hatches", new { source = SourceTitle(i % Sources + 1) });
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref refused);
                    Console.Error.WriteLine($"  submit {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return;
                }
                ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }
            finally
            {
                gate.Release();
            }
        }));
        if (refused > 0) Console.WriteLine($"  {refused} submission(s) were refused");
        return ids.Where(id => id != Guid.Empty).ToArray();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_environment["ConnectionStrings__Hatch"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many of the drill user's requests are in each status: a cheap poll while waiting (the drills share 2 cores with what they measure).</summary>
    public async Task<IReadOnlyDictionary<string, int>> StatusCountsAsync()
    {
        await using var connection = new NpgsqlConnection(_environment["ConnectionStrings__Hatch"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Status", count(*) FROM hatch_requests WHERE "UserId" = @user GROUP BY "Status" """, connection);
        command.Parameters.AddWithValue("user", UserId);
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        return counts;
    }

    /// <summary>Every request of the drill's user with its draft count, read straight from the database.</summary>
    public async Task<IReadOnlyList<RequestRow>> RequestsAsync()
    {
        await using var connection = new NpgsqlConnection(_environment["ConnectionStrings__Hatch"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT r."Id", r."Status", r."Attempts", r."Error", r."CreatedAt", r."StartedAt", r."FinishedAt",
                   (SELECT count(*) FROM drafts d WHERE d."RequestId" = r."Id")
            FROM hatch_requests r WHERE r."UserId" = @user
            """, connection);
        command.Parameters.AddWithValue("user", UserId);
        var rows = new List<RequestRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new RequestRow(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt64(7)));
        return rows;
    }

    /// <summary>Prints what the database knows of unfinished requests: the request row, its Hangfire job's state and queue entry.</summary>
    public async Task DescribeUnfinishedAsync(IEnumerable<RequestRow> rows)
    {
        await using var connection = new NpgsqlConnection(_environment["ConnectionStrings__Hatch"]);
        await connection.OpenAsync();
        foreach (var row in rows.Where(r => !r.IsTerminal).Take(10))
        {
            await using var command = new NpgsqlCommand("""
                SELECT r."JobId", r."UpdatedAt", j.statename, j.createdat,
                       (SELECT string_agg(coalesce(q.fetchedat::text, 'not fetched'), ',') FROM hangfire.jobqueue q WHERE q.jobid = j.id),
                       (SELECT string_agg(s.name || '@' || s.createdat::text, ' > ' ORDER BY s.id) FROM hangfire.state s WHERE s.jobid = j.id)
                FROM hatch_requests r LEFT JOIN hangfire.job j ON j.id::text = r."JobId"
                WHERE r."Id" = @id
                """, connection);
            command.Parameters.AddWithValue("id", row.Id);
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync()) continue;
            string Text(int i) => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            Console.WriteLine($"  unfinished {row.Id}: {row.Status}, attempts {row.Attempts}, error '{row.Error}', updated {Text(1)}; " +
                              $"job {Text(0)} state {Text(2)} (created {Text(3)}), queue entry {Text(4)}, states {Text(5)}");
        }
    }

    /// <summary>How often each request's success was logged by any worker: more than once means its article was written twice.</summary>
    public IReadOnlyDictionary<Guid, int> SuccessesLogged()
    {
        var counts = new Dictionary<Guid, int>();
        foreach (var file in Directory.GetFiles(LogFolder, "worker*.log"))
            foreach (var line in File.ReadLines(file))
                if (SucceededLine().Match(line) is { Success: true } match)
                {
                    var id = Guid.Parse(match.Groups[1].Value);
                    counts[id] = counts.GetValueOrDefault(id) + 1;
                }
        return counts;
    }

    [GeneratedRegex(@"Hatch request ([0-9a-f\-]{36}) succeeded with draft")]
    private static partial Regex SucceededLine();

    public async ValueTask DisposeAsync()
    {
        // Workers first (they requeue what they hold), then the web process.
        foreach (var process in Enumerable.Reverse(_processes)) await process.DisposeAsync();
        Http.Dispose();
    }
}

internal sealed record RequestRow(Guid Id, string Status, int Attempts, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long Drafts)
{
    public bool IsTerminal => Status is "Succeeded" or "Failed";
}
