namespace Hatch.Drills;

/// <summary>
/// The outcome of a drill: its counts and the checks it made. Every request is classified exactly once:
/// succeeded (one draft), failed (with a reason), lost (missing, never started, or Succeeded without a draft) or
/// stuck (started but not finished by the deadline); duplicated counts requests written twice, on top of that.
/// </summary>
internal sealed class Tally(string drill)
{
    private readonly List<(string What, bool Passed)> _checks = [];

    public string Drill { get; } = drill;
    public int Submitted { get; private set; }
    public int Succeeded { get; private set; }
    public int Failed { get; private set; }
    public int Duplicated { get; private set; }
    public int Lost { get; private set; }
    public int Stuck { get; private set; }

    public bool Passed => Lost == 0 && Duplicated == 0 && Stuck == 0 && _checks.All(c => c.Passed);

    /// <summary>Prints a check as it is made: "  ok   what" or "  FAIL what".</summary>
    public bool Check(string what, bool passed)
    {
        _checks.Add((what, passed));
        Console.WriteLine($"  {(passed ? "ok  " : "FAIL")} {what}");
        return passed;
    }

    /// <param name="rerunsAreDuplicates">
    /// In a run without crashes or outages a request should run once; a second run means a job was handed to two
    /// workers. After a kill or an outage a second run of an interrupted request is the recovery, not a duplicate.
    /// </param>
    public void Add(IReadOnlyList<Guid> submitted, IReadOnlyList<RequestRow> rows, IReadOnlyDictionary<Guid, int> successesLogged, bool rerunsAreDuplicates)
    {
        var byId = rows.ToDictionary(r => r.Id);
        int succeeded = 0, failed = 0, lost = 0, stuck = 0, duplicated = 0, reasonless = 0, reruns = 0;
        foreach (var id in submitted)
        {
            if (!byId.TryGetValue(id, out var row)) { lost++; continue; }
            if (row.Drafts > 1 || successesLogged.GetValueOrDefault(id) > 1 || (rerunsAreDuplicates && row.Attempts > 1)) duplicated++;
            if (row.Attempts > 1) reruns++;
            switch (row.Status)
            {
                case "Succeeded" when row.Drafts >= 1: succeeded++; break;
                case "Succeeded": lost++; break; // Succeeded with no draft: the article is gone
                case "Failed":
                    failed++;
                    if (string.IsNullOrWhiteSpace(row.Error)) reasonless++;
                    break;
                default:
                    if (row.Attempts == 0) lost++; else stuck++;
                    break;
            }
        }
        Submitted += submitted.Count;
        Succeeded += succeeded;
        Failed += failed;
        Lost += lost;
        Stuck += stuck;
        Duplicated += duplicated;
        Console.WriteLine($"  requests: {submitted.Count} submitted, {succeeded} succeeded, {failed} failed, {lost} lost, {stuck} stuck, {duplicated} duplicated; {reruns} ran more than once");
        Check($"every request is in the database and ended Succeeded or Failed ({lost} lost, {stuck} stuck)", lost == 0 && stuck == 0);
        Check("every Succeeded request has exactly one draft and was written once", duplicated == 0 && rows.All(r => r.Drafts <= 1));
        if (failed > 0) Check($"every Failed request says why ({reasonless} without a reason)", reasonless == 0);
    }

    public string Line => $"drill={Drill} submitted={Submitted} succeeded={Succeeded} failed={Failed} duplicated={Duplicated} lost={Lost} stuck={Stuck}";
}
