using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Requests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hatch.Features.Hatching;

/// <summary>
/// Shows a running request's stage to the person watching, without a database write for every stage of every run.
/// A stage is written once it has lasted <c>delay</c> (<see cref="JobOptions.StageReportDelay"/>): a model call that
/// takes seconds shows "Writing" within that delay, while an extractive run that is over in a few milliseconds goes
/// straight from Selecting to Succeeded, as it would look to a status page polling every half second anyway.
/// </summary>
/// <remarks>
/// The write uses its own scope and DbContext, so it may run while the job's context is busy with the final save;
/// it only touches a request that is still Running, so it can never undo Succeeded or Failed.
/// </remarks>
internal sealed partial class StageReporter(
    IServiceScopeFactory scopes, Guid requestId, HatchStage shown, TimeSpan delay, TimeProvider time, ILogger logger)
{
    private HatchStage _current = shown;
    private long _since = System.Diagnostics.Stopwatch.GetTimestamp();
    private CancellationTokenSource? _waiting;
    private Task _pending = Task.CompletedTask;

    public async Task ReportAsync(HatchStage stage)
    {
        if (stage == _current) return;
        Hatch.Writing.Telemetry.HatchTelemetry.RecordStage(_current.ToString(), System.Diagnostics.Stopwatch.GetElapsedTime(_since));
        _since = System.Diagnostics.Stopwatch.GetTimestamp();
        _current = stage;
        await StopAsync();
        if (delay <= TimeSpan.Zero)
        {
            await WriteAsync(stage);
            return;
        }
        _waiting = new CancellationTokenSource();
        _pending = WriteLaterAsync(stage, _waiting.Token);
    }

    /// <summary>Drops a stage that has not been written yet and waits for one being written.</summary>
    public async Task StopAsync()
    {
        if (_waiting is { } waiting)
        {
            await waiting.CancelAsync();
            waiting.Dispose();
            _waiting = null;
        }
        await _pending;
        _pending = Task.CompletedTask;
    }

    private async Task WriteLaterAsync(HatchStage stage, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return; // the next stage (or the outcome) came first
        }
        await WriteAsync(stage);
    }

    private async Task WriteAsync(HatchStage stage)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            var now = time.GetUtcNow();
            await db.HatchRequests
                .Where(r => r.Id == requestId && r.Status == RequestStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Stage, stage).SetProperty(r => r.UpdatedAt, now));
        }
        catch (Exception ex)
        {
            // A stage the person does not see is not worth failing the article for; the outcome is saved separately.
            LogStageFailed(ex, requestId, stage);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not show stage {Stage} of hatch request {RequestId}")]
    private partial void LogStageFailed(Exception ex, Guid requestId, HatchStage stage);
}
