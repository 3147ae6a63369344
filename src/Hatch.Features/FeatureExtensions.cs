using Hatch.Features.Digests;
using Hatch.Features.Email;
using Hatch.Features.Hatching;
using Hatch.Features.Library;
using Hatch.Features.Review;
using Hatch.Features.Sync;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features;

public static class FeatureExtensions
{
    /// <summary>
    /// Every feature's services and job classes. The host chooses Hangfire's storage and whether this process runs a
    /// worker; Hatch.Data, the writers and the embeddings are registered by the host too.
    /// </summary>
    public static IHostApplicationBuilder AddHatchFeatures(this IHostApplicationBuilder builder) => builder
        .AddHatchEmail()
        .AddHatchLibrary()
        .AddHatching()
        .AddHatchReview()
        .AddHatchDigests()
        .AddHatchSync();
}
