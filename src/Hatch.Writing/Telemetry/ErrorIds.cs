using System.Diagnostics;

namespace Hatch.Writing.Telemetry;

/// <summary>
/// The id a person sees beside a plain error reason, and the log keeps beside the details (a provider's reply, an
/// address, a database message), so an operator can find what happened without the details being shown to anyone.
/// </summary>
public static class ErrorIds
{
    /// <summary>The current trace id when there is one (so the id also finds the trace), else a fresh one.</summary>
    public static string Next() => (Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
}
