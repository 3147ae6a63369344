using System.Diagnostics;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hatch.Writing.Telemetry;

namespace Hatch.Features.Requests;

/// <summary>
/// Carries the trace of the web request (or job) that enqueued a Hangfire job into the job, so one trace runs from
/// the request through the worker (another process, possibly) to the model call: the W3C <c>traceparent</c> is
/// stored as a job parameter when the job is created and continued by a "job" span when a worker performs it.
/// Also records every job's duration by job type and outcome (<c>hatch.job.duration</c>).
/// </summary>
public static class JobTracingExtensions
{
    public static Hangfire.IGlobalConfiguration UseJobTracing(this Hangfire.IGlobalConfiguration configuration)
    {
        JobTracing.Register();
        return configuration;
    }
}

public sealed class JobTracing : JobFilterAttribute, IClientFilter, IServerFilter
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    private const string ActivityItem = "hatch.job.activity";
    private const string StartedItem = "hatch.job.started";

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is not { } current) return;
        context.SetJobParameter(TraceParent, current.Id);
        if (current.TraceStateString is { } state) context.SetJobParameter(TraceState, state);
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        context.Items[StartedItem] = Stopwatch.GetTimestamp();
        var parent = context.GetJobParameter<string>(TraceParent);
        ActivityContext.TryParse(parent, context.GetJobParameter<string>(TraceState), out var parentContext);
        // Set as Activity.Current on this thread: Hangfire runs the job method right after, on the same flow.
        var activity = HatchTelemetry.Source.StartActivity($"job {JobName(context.BackgroundJob.Job)}", ActivityKind.Consumer, parentContext);
        if (activity is null) return;
        activity.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        activity.SetTag("hangfire.job.type", JobName(context.BackgroundJob.Job));
        context.Items[ActivityItem] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        var outcome = context.Exception is null ? "succeeded" : context.Canceled ? "canceled" : "failed";
        if (context.Items.TryGetValue(StartedItem, out var started) && started is long timestamp)
            HatchTelemetry.RecordJob(JobName(context.BackgroundJob.Job), outcome, Stopwatch.GetElapsedTime(timestamp));
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (context.Exception is { } ex) activity.SetStatus(ActivityStatusCode.Error, ex.GetBaseException().Message);
            activity.Stop();
        }
    }

    /// <summary>
    /// Adds the filter to Hangfire's global filters once per process (they are static; every test host or second
    /// host in one process configures Hangfire again).
    /// </summary>
    public static void Register()
    {
        lock (Hangfire.GlobalJobFilters.Filters)
            if (!Hangfire.GlobalJobFilters.Filters.Any(f => f.Instance is JobTracing))
                Hangfire.GlobalJobFilters.Filters.Add(new JobTracing());
    }

    private static string JobName(Job? job) => job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
}
