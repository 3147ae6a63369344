using Hatch.Features.Digests;
using Hatch.Features.Hatching;
using Hatch.Features.Review;

namespace Hatch.Features.Tests.Requests;

public sealed class JobTypeNamesTests
{
    [Theory]
    [InlineData("Hatch.Core.Jobs.HatchJob, Hatch.Core", typeof(HatchJob))]
    [InlineData("Hatch.Core.Jobs.ReviseSectionJob, Hatch.Core, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", typeof(ReviseSectionJob))]
    [InlineData("Hatch.Core.Digests.DigestDispatcher, Hatch.Core", typeof(DigestDispatcher))]
    public void AJobEnqueuedBeforeTheSplitStillFindsItsClass(string storedName, Type expected) =>
        Assert.Equal(expected, JobTypeNames.Resolve(storedName));

    [Fact]
    public void TodaysNamesResolveAsHangfireWould() =>
        Assert.Equal(typeof(HatchJob), JobTypeNames.Resolve("Hatch.Features.Hatching.HatchJob, Hatch.Features"));
}
