using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Features;
using Hatch.Features.Digests;
using Hatch.Features.Hatching;
using Hatch.Features.Library;
using Hatch.Features.Requests;
using Hatch.Features.Sync;
using Hatch.Web.Infrastructure;
using Hatch.Llm;
using Hatch.ServiceDefaults;
using Hatch.Writing;
using Microsoft.Extensions.Options;

namespace Hatch.Web;

/// <summary>
/// Hangfire: in-memory storage with the SQLite default, Hangfire.PostgreSql (schema "hangfire") when the database is
/// PostgreSQL. A worker runs in the web process unless Hatch:Jobs:RunWorker is false; `--role worker` runs one alone.
/// </summary>
public static class HangfireSetup
{
    public static IHostApplicationBuilder AddHatchHangfire(this IHostApplicationBuilder builder, bool forceWorker = false)
    {
        var services = builder.Services;
        // Registered before AddHangfire so each host (and each test server) has its own storage and activator,
        // instead of Hangfire's process-wide JobStorage.Current.
        services.AddSingleton<JobStorage>(sp =>
        {
            var jobs = sp.GetRequiredService<IOptions<JobOptions>>().Value;
            return JobStorageSetup.Create(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, jobs.InvisibilityTimeout, jobs.QueuePollInterval);
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseTypeResolver(JobTypeNames.Resolve)
            .UseRecommendedSerializerSettings()
            .UseJobTracing());

        var runWorker = forceWorker || builder.Configuration.GetValue($"{JobOptions.SectionName}:{nameof(JobOptions.RunWorker)}", true);
        if (runWorker)
        {
            services.AddHangfireServer((sp, options) =>
            {
                var jobs = sp.GetRequiredService<IOptions<JobOptions>>().Value;
                if (jobs.WorkerCount > 0) options.WorkerCount = jobs.WorkerCount;
                // Hangfire's default poll is 15 s for scheduled retries; a second is plenty for a person watching.
                options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }
        services.AddHostedService<JobsStartup>();
        services.AddHostedService<QueueDepthMetric>();
        return builder;
    }

    /// <summary>The dashboard at /hangfire, for administrators only.</summary>
    public static WebApplication MapHatchHangfire(this WebApplication app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new AdminOnlyDashboardFilter()],
            AppPath = "/",
            DashboardTitle = "Hatch jobs",
        });
        return app;
    }

    /// <summary>
    /// The Admin role as the database holds it now, not as the sign-in cookie remembers it: a demoted admin loses the
    /// dashboard at once rather than when the cookie is next validated.
    /// </summary>
    private sealed class AdminOnlyDashboardFilter : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is not { } userId) return false;
            var db = http.RequestServices.GetRequiredService<HatchDbContext>();
            return (await Hatch.Features.Review.ReviewService.ActorAsync(db, userId, http.RequestAborted)).IsAdmin;
        }
    }
}

/// <summary>
/// On start: registers the minutely sweep, the digest dispatcher and the embedding refresh, sweeps once, so requests
/// lost with the last process are picked up, and enqueues one embedding refresh, so a change of embedding model is
/// followed by a recompute without waiting for the next import.
/// </summary>
internal sealed partial class JobsStartup(
    IServiceScopeFactory scopes, IRecurringJobManager recurring, IBackgroundJobClient jobs, IOptions<DigestOptions> digests, IOptions<SyncOptions> sync, ILogger<JobsStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            recurring.AddOrUpdate<HatchRequestSweeper>(HatchRequestSweeper.RecurringJobId, s => s.SweepAsync(CancellationToken.None), Cron.Minutely());
            // One dispatcher for every reader's digests, never one recurring job per reader.
            recurring.AddOrUpdate<DigestDispatcher>(DigestDispatcher.RecurringJobId, d => d.DispatchJobAsync(CancellationToken.None), digests.Value.DispatchCron);
            // One dispatcher for every connection's syncs, likewise.
            recurring.AddOrUpdate<SyncDispatcher>(SyncDispatcher.RecurringJobId, d => d.DispatchJobAsync(CancellationToken.None), sync.Value.DispatchCron);
            recurring.AddOrUpdate<EmbeddingRefreshJob>(EmbeddingRefreshJob.RecurringJobId, r => r.RunAsync(CancellationToken.None), EmbeddingRefreshJob.Cron);
            // Every process enqueues one at start; runs do not overlap and the second finds nothing left (see the job).
            jobs.Enqueue<EmbeddingRefreshJob>(r => r.RunAsync(CancellationToken.None));
            await using var scope = scopes.CreateAsyncScope();
            var swept = await scope.ServiceProvider.GetRequiredService<HatchRequestSweeper>().SweepAsync(stoppingToken);
            if (swept > 0) LogSwept(swept);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(ex);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Re-enqueued {Count} hatch request(s) left from before this start")]
    private partial void LogSwept(int count);

    [LoggerMessage(LogLevel.Error, "The start-up sweep for lost hatch requests failed; the minutely sweep will try again")]
    private partial void LogSweepFailed(Exception ex);
}

/// <summary>Reports this host's Hangfire queue depth as <c>hatch.jobs.enqueued</c> whenever metrics are collected.</summary>
internal sealed class QueueDepthMetric(JobStorage storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Hatch.Writing.Telemetry.HatchTelemetry.ObserveQueueDepth(() => storage.GetMonitoringApi().GetStatistics().Enqueued);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>`--role worker`: a process that runs jobs against the shared database and serves nothing.</summary>
public static class WorkerRole
{
    public static bool IsRequested(string[] args)
    {
        var index = Array.IndexOf(args, "--role");
        return (index >= 0 && index + 1 < args.Length && args[index + 1].Equals("worker", StringComparison.OrdinalIgnoreCase))
            || args.Any(a => a.Equals("--role=worker", StringComparison.OrdinalIgnoreCase));
    }

    /// <returns>0, or <see cref="StartupFailure.ExitCode"/> when a setting stops it at start.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        IHost? host = null;
        try
        {
            host = Build(args);
            await host.PrepareDatabaseAsync();
            await host.RunAsync();
            return 0;
        }
        catch (Exception ex) when (StartupFailure.IsSettingError(ex) && StartupFailure.IsOwnProcess)
        {
            return StartupFailure.Report(ex, host?.Services);
        }
        finally
        {
            host?.Dispose();
        }
    }

    /// <summary>The worker host, built but not started (tests run it beside a web-only app on one database).</summary>
    public static IHost Build(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddHatchConfiguration(args);
        builder.AddHatchTelemetry("hatch-worker");
        builder.AddHatchEmbeddings();
        builder.AddHatchLlm();
        builder.AddHatchWriting();
        builder.AddHatchData();
        builder.AddHatchFeatures();
        builder.AddHatchDataProtection();
        builder.AddHatchHangfire(forceWorker: true);
        // The job's scheduler needs Identity's tables only through the DbContext; no sign-in services are needed.
        return builder.Build();
    }
}
