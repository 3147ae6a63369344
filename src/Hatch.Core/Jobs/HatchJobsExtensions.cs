using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Core.Jobs;

public static class HatchJobsExtensions
{
    /// <summary>The job classes and the scheduler; the host chooses Hangfire's storage and whether this process runs a worker.</summary>
    public static IHostApplicationBuilder AddHatchJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobOptions>().BindConfiguration(JobOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<HatchScheduler>();
        builder.Services.AddScoped<HatchJob>();
        builder.Services.AddScoped<HatchRequestSweeper>();
        builder.Services.AddOptions<Digests.DigestOptions>().BindConfiguration(Digests.DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<Digests.DigestDispatcher>();
        builder.Services.AddScoped<Digests.DigestJob>();
        builder.Services.AddScoped<Digests.DigestSettingsStore>();
        builder.Services.AddScoped<EmbeddingJob>();
        builder.Services.AddScoped<EmbeddingScheduler>();
        builder.Services.AddScoped<EmbeddingRefreshJob>();
        builder.Services.AddScoped<HighlightIntake>();
        // Editorial review: the workflow, model revisions of a section, and the publish webhook.
        builder.Services.AddOptions<Review.WebhookOptions>().BindConfiguration(Review.WebhookOptions.SectionName);
        builder.Services.AddScoped<Review.ReviewService>();
        builder.Services.AddScoped<ReviseSectionJob>();
        builder.Services.AddScoped<PublishWebhookJob>();
        builder.Services.AddHttpClient(PublishWebhookJob.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        return builder;
    }
}
