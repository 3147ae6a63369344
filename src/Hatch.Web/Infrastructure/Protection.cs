using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;

namespace Hatch.Web.Infrastructure;

/// <summary>Per-user limits on the expensive actions: each hatch may call a model, each import parses a file.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Hatch:RateLimits";

    /// <summary>Hatch requests a user may submit per minute (API and pages together).</summary>
    public int HatchesPerMinute { get; set; } = 30;

    /// <summary>Imports (file uploads or JSON batches) a user may submit per minute.</summary>
    public int ImportsPerMinute { get; set; } = 20;
}

/// <summary>
/// Security headers on every response and per-user rate limits on hatching and importing. Both are applied by
/// path here rather than on each endpoint so that a new form or API route under the same paths is covered too.
/// </summary>
public static class Protection
{
    // Pages load only their own scripts (no inline script anywhere), so scripts are strict. A few style attributes
    // remain in the markup, and styles cannot run code, so inline styles are allowed.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // Hangfire's dashboard (admins only) ships inline scripts and styles of its own.
    private const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddHatchProtection(this IHostApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Classify(context) switch
            {
                "hatch" => Window(context, "hatch", limits.HatchesPerMinute),
                "import" => Window(context, "import", limits.ImportsPerMinute),
                _ => RateLimitPartition.GetNoLimiter("none"),
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                        title: "Too many requests",
                        detail: $"You can do this at most a limited number of times a minute; try again in {response.Headers.RetryAfter} seconds.",
                        statusCode: StatusCodes.Status429TooManyRequests)
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>Call after authentication, so limits are per signed-in user rather than per address.</summary>
    public static WebApplication UseHatchProtection(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/hangfire") ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            await next();
        });
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Which limit a request counts against: creating hatches and importing, from the API or a page form.</summary>
    private static string Classify(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)) return "none";
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api/hatches") && !path.Value!.EndsWith("/retry", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/Highlights") && context.Request.Query["handler"] == "Hatch")
            return "hatch";
        if (path.StartsWithSegments("/api/highlights") || path.StartsWithSegments("/Highlights") && context.Request.Query["handler"] == "Import")
            return "import";
        // Adding a connection or asking for a sync calls the service on the reader's behalf: an import by another road,
        // limited like one so Hatch cannot be used to hammer Readwise or Hypothesis.
        if (path.StartsWithSegments("/api/connections") || path.StartsWithSegments("/Connections") && context.Request.Query["handler"].ToString() is "Add" or "Sync")
            return "import";
        return "none";
    }

    private static RateLimitPartition<string> Window(HttpContext context, string action, int permitsPerMinute)
    {
        var who = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
        return RateLimitPartition.GetSlidingWindowLimiter($"{action}:{who}", _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permitsPerMinute),
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        });
    }
}
