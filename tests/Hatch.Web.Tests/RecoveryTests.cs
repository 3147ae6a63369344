using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hatch.Data;
using Hatch.Domain.Hatching;
using Hatch.Domain.Requests;
using Hatch.Features.Hatching;
using Hatch.Features.Requests;
using Hatch.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hatch.Web.Tests;

/// <summary>Paths where an accepted request could be lost or doubled, on a web-only process so no worker interferes.</summary>
public sealed class RecoveryTests(WebOnlyAppFactory web) : IClassFixture<WebOnlyAppFactory>
{
    private sealed class CountingJobClient : IBackgroundJobClient
    {
        private int _created;
        public int Created => _created;
        public string Create(Job job, IState state) => $"counted-{Interlocked.Increment(ref _created)}";
        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }

    private async Task<HatchRequest> StoreAsync(Action<HatchRequest>? shape = null, bool withHighlights = false, DateTimeOffset? createdAt = null)
    {
        var (client, email) = await web.NewUserAsync();
        if (withHighlights)
        {
            object[] batch = [new { text = "Feedback loops should be short, so mistakes are noticed while they are still cheap to fix.", source = "Peak" },
                new { text = "Deliberate practice means working at the edge of your ability with immediate feedback.", source = "Peak" }];
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/highlights", batch)).EnsureSuccessStatusCode();
        }
        var request = HatchRequest.Create(await web.UserIdAsync(email), HatchSelection.All, new HatchSettings(), createdAt ?? DateTimeOffset.UtcNow.AddMinutes(-5));
        shape?.Invoke(request);
        await using var scope = web.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
        db.HatchRequests.Add(request);
        await db.SaveChangesAsync();
        return request;
    }

    [Fact]
    public async Task TwoSweepsAtOnceEnqueueAnOrphanedRequestOnlyOnce()
    {
        var orphan = await StoreAsync(); // stored five minutes ago, never enqueued (the process died in between)
        var jobs = new CountingJobClient();

        async Task<int> SweepAsync()
        {
            await using var scope = web.Services.CreateAsyncScope();
            var sp = scope.ServiceProvider;
            var db = sp.GetRequiredService<HatchDbContext>();
            var scheduler = new HatchScheduler(db, new RequestQueue(db, jobs, TimeProvider.System, NullLogger<RequestQueue>.Instance), TimeProvider.System);
            var sweeper = new HatchRequestSweeper(db, scheduler, sp.GetRequiredService<ReviewService>(), sp.GetRequiredService<ReviewEmailJob>(), sp.GetRequiredService<JobStorage>(), TimeProvider.System,
                sp.GetRequiredService<IOptions<JobOptions>>(), NullLogger<HatchRequestSweeper>.Instance);
            return await sweeper.SweepAsync(CancellationToken.None);
        }

        // As when a web process and a worker process start together: both sweeps read the same orphan.
        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SweepAsync()));
        Assert.Equal(1, counts.Sum());
        Assert.Equal(1, jobs.Created);

        await using var check = web.Services.CreateAsyncScope();
        var stored = await check.ServiceProvider.GetRequiredService<HatchDbContext>().HatchRequests.AsNoTracking().SingleAsync(r => r.Id == orphan.Id);
        Assert.Equal("counted-1", stored.JobId);
        Assert.Equal(RequestStatus.Queued, stored.Status);
    }

    [Fact]
    public async Task TheSweeperEnqueuesAnOrphanedSectionRevisionAgainAndSparesRequestsYoungerThanOrphanAfter()
    {
        var author = await web.UserAsync();
        var draft = await web.DraftAsync(author.Id, Domain.Drafts.DraftStatus.Draft, author.Id);
        var now = DateTimeOffset.UtcNow;
        var orphanAfter = web.Services.GetRequiredService<IOptions<JobOptions>>().Value.OrphanAfter;
        // Stored, never enqueued: the process died in between (the first), or is enqueueing it right now (the others).
        var orphan = Domain.Drafts.SectionRevisionRequest.Create(draft, 0, "shorter", author.Id, 1, now - orphanAfter - TimeSpan.FromMinutes(5));
        var youngRevision = Domain.Drafts.SectionRevisionRequest.Create(draft, 1, "more concrete", author.Id, 1, now);
        var youngRequest = await StoreAsync(createdAt: now);
        await using (var scope = web.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            db.SectionRevisions.AddRange(orphan, youngRevision);
            await db.SaveChangesAsync();
        }
        var jobs = new CountingJobClient();
        // The sweep's clock stands a second after the rows were made, however long a loaded machine took to store them.
        var time = new FakeTimeProvider(now + TimeSpan.FromSeconds(1));

        await using (var scope = web.Services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var db = sp.GetRequiredService<HatchDbContext>();
            var queue = new RequestQueue(db, jobs, time, NullLogger<RequestQueue>.Instance);
            var review = ActivatorUtilities.CreateInstance<ReviewService>(sp, queue);
            var sweeper = new HatchRequestSweeper(db, new HatchScheduler(db, queue, time), review, sp.GetRequiredService<ReviewEmailJob>(), sp.GetRequiredService<JobStorage>(),
                time, sp.GetRequiredService<IOptions<JobOptions>>(), NullLogger<HatchRequestSweeper>.Instance);
            await sweeper.SweepAsync(CancellationToken.None);
        }

        await using var check = web.Services.CreateAsyncScope();
        var checkDb = check.ServiceProvider.GetRequiredService<HatchDbContext>();
        var revisions = await checkDb.SectionRevisions.AsNoTracking().Where(r => r.DraftId == draft).ToDictionaryAsync(r => r.Id);
        // Enqueued again (by this sweep, or by the start-up sweep should that still be running).
        Assert.NotNull(revisions[orphan.Id].JobId);
        Assert.Equal(RequestStatus.Queued, revisions[orphan.Id].Status);
        Assert.Null(revisions[youngRevision.Id].JobId);
        Assert.Null((await checkDb.HatchRequests.AsNoTracking().SingleAsync(r => r.Id == youngRequest.Id)).JobId);
    }

    [Fact]
    public async Task ARequestWhoseRunsKeepDyingMidWayFailsWithAReasonInsteadOfRunningForever()
    {
        // Three runs started (Running, three attempts) and none recorded an outcome: the worker died each time.
        var request = await StoreAsync(r =>
        {
            for (var i = 0; i < HatchJob.MaxAttempts; i++) r.Start(DateTimeOffset.UtcNow.AddMinutes(-5));
        });

        await using (var scope = web.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchJob>().RunAsync(request.Id, CancellationToken.None);

        await using var check = web.Services.CreateAsyncScope();
        var stored = await check.ServiceProvider.GetRequiredService<HatchDbContext>().HatchRequests.AsNoTracking().SingleAsync(r => r.Id == request.Id);
        Assert.Equal(RequestStatus.Failed, stored.Status);
        Assert.Equal($"Gave up after {HatchJob.MaxAttempts} attempts: the worker stopped each time before the article was finished.", stored.Error);
    }

    [Fact]
    public async Task ARequestInterruptedOnceByACrashStillSucceedsOnTheNextRun()
    {
        var request = await StoreAsync(r => r.Start(DateTimeOffset.UtcNow.AddMinutes(-5)), withHighlights: true); // one run died mid-way
        await using (var scope = web.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HatchJob>().RunAsync(request.Id, CancellationToken.None);
        await using var check = web.Services.CreateAsyncScope();
        var stored = await check.ServiceProvider.GetRequiredService<HatchDbContext>().HatchRequests.AsNoTracking().SingleAsync(r => r.Id == request.Id);
        Assert.True(stored.Status == RequestStatus.Succeeded, $"{stored.Status}: {stored.Error}");
        Assert.Equal(2, stored.Attempts);
    }
}
