using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Hatch.Drills;

/// <summary>
/// A private PostgreSQL cluster in a temporary folder on a free port (as scripts/test.sh starts one), which a drill may
/// stop and start again; or a given server, which the drills never restart.
/// </summary>
internal sealed class PgServer : IAsyncDisposable
{
    private readonly string? _bin;
    private readonly string? _dir;

    private PgServer(string connectionString, string? bin, string? dir)
    {
        ConnectionString = connectionString;
        _bin = bin;
        _dir = dir;
    }

    /// <summary>Host, port and credentials, without a database.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether this harness started the cluster (and so may restart it).</summary>
    public bool Owned => _dir is not null;

    public string For(string database) => $"{ConnectionString};Database={database}";

    public static PgServer Existing(string connectionString) => new(connectionString, null, null);

    public static async Task<PgServer> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); or pass --pg CONNECTION");
        var dir = Directory.CreateTempSubdirectory("hatch-drill-pg.").FullName;
        await Shell.RunAsync("chmod", "700", dir);
        if (Environment.UserName == "root") await Shell.RunAsync("chown", "postgres", dir);
        await AsPostgres(Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        var port = FreePort();
        var server = new PgServer($"Host=127.0.0.1;Port={port};Username=postgres;Password=postgres;Include Error Detail=true", bin, dir) { _port = port };
        await server.StartServerAsync();
        return server;
    }

    private int _port;

    /// <summary>pg_ctl start on the same data folder and port.</summary>
    public Task StartServerAsync() => AsPostgres(Path.Combine(_bin!, "pg_ctl"), "-D", Path.Combine(_dir!, "data"), "-l", Path.Combine(_dir!, "server.log"), "-w",
        "-o", $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400", "start");

    /// <summary>pg_ctl stop -m fast: every session is cut, as in a crash or a failover.</summary>
    public Task StopServerAsync() => AsPostgres(Path.Combine(_bin!, "pg_ctl"), "-D", Path.Combine(_dir!, "data"), "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        if (_dir is null) return;
        try { await StopServerAsync(); } catch (Exception ex) { Console.Error.WriteLine($"drills: stopping PostgreSQL: {ex.Message}"); }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Task AsPostgres(string file, params string[] args) =>
        Environment.UserName == "root" ? Shell.RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : Shell.RunAsync(file, args);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class Shell
{
    public static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await error}{await output}");
    }
}

/// <summary>
/// One process of the built Hatch.Web (the web app, or `--role worker`), with its configuration in environment
/// variables and its console output in a log file.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _pumps;

    private AppProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    public string Name { get; }
    public string LogPath { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the process has used so far (user + system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try { _process.Refresh(); return _process.TotalProcessorTime; }
            catch (InvalidOperationException) { return TimeSpan.Zero; }
        }
    }

    public static AppProcess Start(string name, string webDll, IReadOnlyDictionary<string, string> environment, string logFolder, bool worker)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
        };
        start.ArgumentList.Add(webDll);
        if (worker)
        {
            start.ArgumentList.Add("--role");
            start.ArgumentList.Add("worker");
        }
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var logPath = Path.Combine(logFolder, name + ".log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new AppProcess(name, process, log, logPath);
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (_log) _log.WriteLine(line);
    }

    /// <summary>SIGKILL (what `kill -9` sends): no shutdown, no cleanup, jobs left mid-flight.</summary>
    public void Kill9() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first, so a worker requeues what it holds; then SIGKILL if it does not go.
            try { await Shell.RunAsync("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)); } catch (InvalidOperationException) { }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        }
        await _pumps;
        lock (_log) _log.Dispose();
        _process.Dispose();
    }
}
