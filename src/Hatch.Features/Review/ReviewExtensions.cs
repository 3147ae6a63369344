using Hatch.Features.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Review;

public static class ReviewExtensions
{
    /// <summary>Editorial review: the workflow service, model revisions of a section, the publish webhook and editors' submission emails.</summary>
    public static IHostApplicationBuilder AddHatchReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<WebhookOptions>, WebhookOptions>();
        builder.Services.TryAddScoped<RequestQueue>();
        builder.Services.AddScoped<ReviewService>();
        builder.Services.TryAddSingleton<DraftRegrounding>();
        builder.Services.AddScoped<ReviseSectionJob>();
        builder.Services.AddScoped<PublishWebhookJob>();
        builder.Services.AddScoped<ReviewEmailJob>();
        // A redirect would carry the signed body to an address nobody configured: a 3xx is a failed attempt instead.
        builder.Services.AddHttpClient(PublishWebhookJob.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }
}
