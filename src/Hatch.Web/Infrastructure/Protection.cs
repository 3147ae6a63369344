using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Infrastructure;

/// <summary>
/// <c>Hatch:RateLimits</c>: how often the expensive or guessable actions may be asked for. Signed-in actions count per
/// user; sign-in and registration count per client address, since there is no user yet.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Hatch:RateLimits";

    /// <summary>Hatch requests (and retries) a user may submit per minute (API and pages together).</summary>
    [Range(1, 1_000_000)]
    public int HatchesPerMinute { get; set; } = 30;

    /// <summary>Imports (file uploads, JSON batches, connection adds and syncs) a user may submit per minute.</summary>
    [Range(1, 1_000_000)]
    public int ImportsPerMinute { get; set; } = 20;

    /// <summary>Section revisions by the model (one model call each) a user may ask for per minute.</summary>
    [Range(1, 1_000_000)]
    public int RevisionsPerMinute { get; set; } = 10;

    /// <summary>Searches by meaning (semantic or hybrid: one embedding of the query each) a user may run per minute.</summary>
    [Range(1, 1_000_000)]
    public int SemanticSearchesPerMinute { get; set; } = 60;

    /// <summary>Sign-in attempts (and token refreshes) per client address per minute, on top of Identity's lockout per account.</summary>
    [Range(1, 1_000_000)]
    public int SignInsPerMinute { get; set; } = 10;

    /// <summary>Registrations (and password-reset or confirmation mails asked for) per client address per hour.</summary>
    [Range(1, 1_000_000)]
    public int RegistrationsPerHour { get; set; } = 20;
}

/// <summary>
/// The rate-limit policies. Each is attached where the work is done, with <c>RequireRateLimiting</c> on an endpoint or
/// <c>[EnableRateLimiting]</c> on a Razor page handler, so a new entry point states its limit rather than relying on a
/// path matcher that could miss it.
/// </summary>
public static class RateLimitPolicies
{
    public const string Hatch = "hatch";
    public const string Import = "import";
    public const string Revise = "revise";
    public const string SemanticSearch = "semantic-search";
    public const string SignIn = "sign-in";
    public const string Register = "register";

    public static readonly IReadOnlyList<string> All = [Hatch, Import, Revise, SemanticSearch, SignIn, Register];
}

/// <summary>
/// The counters behind every policy, shared by the rate-limiting middleware (endpoints) and <see cref="RateLimitedPageHandlers"/>
/// (page handlers), so an API call and a form post of the same action draw on one allowance.
/// </summary>
public sealed class HatchRateLimiters : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public HatchRateLimiters(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, k => Window(k[..k.IndexOf('|')])));
    }

    private SlidingWindowRateLimiterOptions Window(string policy)
    {
        var (permits, window) = policy switch
        {
            RateLimitPolicies.Hatch => (_options.HatchesPerMinute, TimeSpan.FromMinutes(1)),
            RateLimitPolicies.Import => (_options.ImportsPerMinute, TimeSpan.FromMinutes(1)),
            RateLimitPolicies.Revise => (_options.RevisionsPerMinute, TimeSpan.FromMinutes(1)),
            RateLimitPolicies.SemanticSearch => (_options.SemanticSearchesPerMinute, TimeSpan.FromMinutes(1)),
            RateLimitPolicies.SignIn => (_options.SignInsPerMinute, TimeSpan.FromMinutes(1)),
            RateLimitPolicies.Register => (_options.RegistrationsPerHour, TimeSpan.FromHours(1)),
            _ => throw new InvalidOperationException($"There is no rate-limit policy named '{policy}'."),
        };
        return new SlidingWindowRateLimiterOptions { PermitLimit = permits, Window = window, SegmentsPerWindow = 6, QueueLimit = 0 };
    }

    /// <summary>The counter a request draws on: the policy, and the user or (for sign-in, registration and anonymous calls) the address.</summary>
    public static string KeyFor(string policy, HttpContext context)
    {
        var address = "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var perAddress = policy is RateLimitPolicies.SignIn or RateLimitPolicies.Register;
        var user = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        return $"{policy}|{(perAddress || user is null ? address : "user:" + user)}";
    }

    /// <summary>Searching by meaning embeds the query; listing or matching words does not, and is not counted.</summary>
    public static bool IsCounted(string policy, HttpContext context) =>
        policy != RateLimitPolicies.SemanticSearch
        || !string.IsNullOrWhiteSpace(context.Request.Query["q"]) && context.Request.Query["mode"].ToString().ToLowerInvariant() is "semantic" or "hybrid";

    public RateLimitLease Acquire(string key) => _limiter.AttemptAcquire(key);

    public RateLimiter SharedPartition(string key) => new SharedPartitionLimiter(_limiter, key);

    public void Dispose() => _limiter.Dispose();

    /// <summary>
    /// The middleware keeps a limiter per partition and disposes idle ones; this one only forwards to the shared
    /// counter, so disposing it loses no count.
    /// </summary>
    private sealed class SharedPartitionLimiter(PartitionedRateLimiter<string> shared, string key) : RateLimiter
    {
        private long _lastUsed = Stopwatch.GetTimestamp();

        public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

        public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics(key);

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
            return shared.AttemptAcquire(key, permitCount);
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
            return shared.AcquireAsync(key, permitCount, cancellationToken);
        }
    }
}

/// <summary>
/// <c>[EnableRateLimiting]</c> on a Razor page handler. Razor Pages makes one endpoint per page and picks the handler
/// after routing (by name, ignoring case), so the middleware cannot see which handler runs; this filter runs once the
/// handler is chosen and counts exactly the handlers that carry the attribute.
/// </summary>
public sealed class RateLimitedPageHandlers(HatchRateLimiters limiters) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerMethod?.MethodInfo.GetCustomAttribute<EnableRateLimitingAttribute>()?.PolicyName is { } policy
            && HatchRateLimiters.IsCounted(policy, context.HttpContext))
        {
            using var lease = limiters.Acquire(HatchRateLimiters.KeyFor(policy, context.HttpContext));
            if (!lease.IsAcquired)
            {
                context.Result = new TooManyRequestsResult(lease);
                return;
            }
        }
        await next();
    }

    private sealed class TooManyRequestsResult(RateLimitLease lease) : IActionResult
    {
        private readonly TimeSpan? _retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;

        public Task ExecuteResultAsync(ActionContext context) => Protection.WriteTooManyRequestsAsync(context.HttpContext, _retryAfter);
    }
}

/// <summary>Security headers on every response, and the rate-limit policies.</summary>
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
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HatchRateLimiters>();
        builder.Services.AddScoped<RateLimitedPageHandlers>();
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>(options =>
            options.Conventions.ConfigureFilter(new ServiceFilterAttribute(typeof(RateLimitedPageHandlers))));
        builder.Services.AddRateLimiter(options =>
        {
            foreach (var policy in RateLimitPolicies.All)
                options.AddPolicy(policy, context =>
                {
                    if (!HatchRateLimiters.IsCounted(policy, context)) return RateLimitPartition.GetNoLimiter("");
                    var limiters = context.RequestServices.GetRequiredService<HatchRateLimiters>();
                    return RateLimitPartition.Get(HatchRateLimiters.KeyFor(policy, context), limiters.SharedPartition);
                });
            options.OnRejected = (rejected, _) => new ValueTask(WriteTooManyRequestsAsync(rejected.HttpContext,
                rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null));
        });
        return builder;
    }

    /// <summary>429 with Retry-After: API callers get ProblemDetails; a browser gets the error page, which says when to try again.</summary>
    internal static Task WriteTooManyRequestsAsync(HttpContext context, TimeSpan? retryAfter)
    {
        var response = context.Response;
        var seconds = Math.Max(1, (int)Math.Ceiling((retryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds));
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        // An empty body lets the status-code pages show a browser the error page, which says when to try again.
        if (IsPageRequest(context)) return Task.CompletedTask;
        return TypedResults.Problem(
                title: "Too many requests",
                detail: $"You can do this at most a limited number of times a minute; try again in {seconds} seconds.",
                statusCode: StatusCodes.Status429TooManyRequests)
            .ExecuteAsync(context);
    }

    /// <summary>A browser asking for a page: HTML accepted, and not the API, the job dashboard or the machine-readable routes.</summary>
    public static bool IsPageRequest(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/health") || path.StartsWithSegments("/openapi"))
            return false;
        return http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Call first: every response carries the security headers, including a 401 or 403 from the authorization
    /// middleware and an error page. They are written as the response starts, because the error handler clears the
    /// headers set before it re-executes the request.
    /// </summary>
    public static WebApplication UseHatchSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // A page that sets its own policy keeps it: the API reference admits its inline script by a nonce.
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                    headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/hangfire") ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>Call after authentication, so limits are per signed-in user rather than per address.</summary>
    public static WebApplication UseHatchProtection(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}
