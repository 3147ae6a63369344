using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;

namespace Hatch.Web.Tests;

public sealed class HatchRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static HatchRequest NewRequest() => HatchRequest.Create("user", HatchSelection.All, new HatchSettings(), Now);

    [Fact]
    public void ARequestMovesFromQueuedThroughItsStagesToSucceeded()
    {
        var request = NewRequest();
        Assert.Equal(RequestStatus.Queued, request.Status);
        request.Start(Now);
        Assert.Equal((RequestStatus.Running, HatchStage.Selecting, 1), (request.Status, request.Stage, request.Attempts));
        request.Advance(HatchStage.Writing, Now);
        request.Advance(HatchStage.Saving, Now);
        var draft = Guid.NewGuid();
        request.Succeed(draft, Now);
        Assert.Equal((RequestStatus.Succeeded, (HatchStage?)null, (Guid?)draft), (request.Status, request.Stage, request.DraftId));
        request.Succeed(draft, Now); // a second run of the job changes nothing
    }

    [Fact]
    public void AFinishedRequestCannotStartOrAdvanceAgain()
    {
        var request = NewRequest();
        request.Start(Now);
        request.Fail("no highlights", Now);
        Assert.Throws<RequestStateException>(() => request.Start(Now));
        Assert.Throws<RequestStateException>(() => request.Advance(HatchStage.Writing, Now));
        Assert.Throws<RequestStateException>(() => request.Succeed(Guid.NewGuid(), Now));
    }

    [Fact]
    public void RetryingAFailedRequestQueuesItWithFreshAttempts()
    {
        var request = NewRequest();
        request.Start(Now);
        request.Fail("boom", Now);
        request.Requeue(Now);
        Assert.Equal((RequestStatus.Queued, 0, (string?)null), (request.Status, request.Attempts, request.Error));
        Assert.Throws<RequestStateException>(() => request.Requeue(Now));
    }

    [Fact]
    public void ATransientErrorQueuesARunningRequestAgainAndKeepsTheMessage()
    {
        var request = NewRequest();
        request.Start(Now);
        request.Requeue(Now, "database timeout");
        Assert.Equal((RequestStatus.Queued, 1, "database timeout"), (request.Status, request.Attempts, request.Error));
        request.Start(Now);
        Assert.Equal(2, request.Attempts);
    }
}
