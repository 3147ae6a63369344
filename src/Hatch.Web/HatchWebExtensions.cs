using System.Text.Json;
using System.Text.Json.Serialization;
using Hatch.Data;
using Hatch.ServiceDefaults;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;

using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Hatch.Web;

/// <summary><c>Hatch:Web</c>: limits of the web front door.</summary>
public sealed class WebOptions
{
    public const string SectionName = "Hatch:Web";

    /// <summary>The largest highlight export accepted by upload, in bytes.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 1L << 30)]
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Addresses of the reverse proxies (TLS terminators) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
    /// believed. Empty (the default): no proxy is believed, not even one on this machine.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of believed proxies in CIDR form (<c>10.0.0.0/8</c>), for proxies without a fixed address.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>The first entry of <see cref="KnownProxies"/> or <see cref="KnownNetworks"/> that does not parse, or null.</summary>
    public string? FirstInvalidProxyEntry() =>
        KnownProxies.FirstOrDefault(p => !System.Net.IPAddress.TryParse(p, out _)) is { } proxy ? $"KnownProxies: '{proxy}' is not an IP address"
        : KnownNetworks.FirstOrDefault(n => !System.Net.IPNetwork.TryParse(n, out _)) is { } network ? $"KnownNetworks: '{network}' is not a network in CIDR form (10.0.0.0/8)"
        : null;
}

/// <summary><c>Hatch:Auth</c>: who may open an account.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Hatch:Auth";

    /// <summary>
    /// Whether anyone may register (the page and <c>/api/auth/register</c>). Off, accounts come only from
    /// <c>hatch users add</c>.
    /// </summary>
    public bool AllowRegistration { get; set; } = true;
}

public static class HatchWebExtensions
{
    /// <summary>Room for the multipart boundaries and headers around an upload of the largest allowed file.</summary>
    public const long UploadOverheadBytes = 64 * 1024;

    private const string ChallengeScheme = "Hatch.Challenge";

    /// <summary>
    /// ASP.NET Core Identity: a cookie for the pages, bearer tokens for the API (Identity's own endpoints under /api/auth),
    /// and the roles Editor and Admin.
    /// </summary>
    /// <summary>
    /// ASP.NET Core's request spans and metrics beside the ones <see cref="TelemetryExtensions.AddHatchTelemetry"/>
    /// exports; these only configure a tracer or meter provider if one exists, so telemetry stays off unless an OTLP
    /// endpoint is set (or a test registers its own exporter).
    /// </summary>
    public static IHostApplicationBuilder AddHatchWebTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddAspNetCoreInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddAspNetCoreInstrumentation());
        return builder;
    }

    public static IHostApplicationBuilder AddHatchAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Everything needs a signed-in user unless it says otherwise: a new endpoint that forgets to ask is closed, not
        // open. The public routes (sign-in and registration, the start and error pages, published articles and feeds,
        // static files, the OpenAPI document, health) opt out by name.
        services.AddAuthorization(options => options.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
            .AddRequirements(new SignedInWhereThereIsAnEndpoint()).Build());
        services.AddIdentityApiEndpoints<HatchUser>(HatchIdentityRules.Apply)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<HatchDbContext>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);
        // Where mail can be sent, an address must be confirmed before it signs in, so nobody holds an account under an
        // address they do not own. Without a sender (the default) confirmation is impossible, and is not asked for.
        services.AddOptions<IdentityOptions>().Configure<IEmailSender<HatchUser>, Microsoft.AspNetCore.Identity.UI.Services.IEmailSender>(
            (options, typed, plain) => options.SignIn.RequireConfirmedEmail = CanSendEmail(typed, plain));
        // Identity's composite scheme authenticates by bearer token or cookie; its challenge always answers 401.
        // Pages want the sign-in redirect instead, so challenges and forbids pick the scheme by path.
        services.AddAuthentication(options =>
            {
                options.DefaultChallengeScheme = ChallengeScheme;
                options.DefaultForbidScheme = ChallengeScheme;
            })
            .AddPolicyScheme(ChallengeScheme, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api") || context.Request.Headers.Authorization.Count > 0
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme);
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/Account/Login";
            options.LogoutPath = "/Account/Logout";
            options.AccessDeniedPath = "/Account/Denied";
            options.Cookie.Name = "hatch.auth";
            // Lax, so that following a link to Hatch from elsewhere keeps the reader signed in, while cross-site posts
            // carry no cookie.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = SecurePolicy(builder.Environment);
            // API callers get status codes, not a redirect to a sign-in page.
            options.Events.OnRedirectToLogin = context => RedirectOrStatus(context.HttpContext, context.RedirectUri, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context.HttpContext, context.RedirectUri, StatusCodes.Status403Forbidden);
        });
        return builder;
    }

    /// <summary>Identity's defaults send nothing; any other sender (registered by a deployment) can send confirmations.</summary>
    public static bool CanSendEmail(IEmailSender<HatchUser> typed, Microsoft.AspNetCore.Identity.UI.Services.IEmailSender plain) =>
        // Identity's default generic sender only forwards to the plain one (its type is internal, hence the name).
        !(typed.GetType().Name == "DefaultMessageEmailSender`1" && plain is Microsoft.AspNetCore.Identity.UI.Services.NoOpEmailSender);

    private static Task RedirectOrStatus(HttpContext http, string redirectUri, int status)
    {
        if (http.Request.Path.StartsWithSegments("/api")) http.Response.StatusCode = status;
        else http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }

    public static IHostApplicationBuilder AddHatchWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.SectionName).ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebOptions>, ProxyListValidation>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<WebOptions>>((forwarded, web) => ConfigureForwardedHeaders(forwarded, web.Value));
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        // The multipart reader and Kestrel take the configured size (with room for the form's own bytes), so raising
        // Hatch:Web:MaxUploadBytes raises what is accepted, not only what the 413 message says. Kestrel's own default
        // (about 28.6 MB) stays the floor for every other request.
        services.AddOptions<FormOptions>().Configure<IOptions<WebOptions>>((form, web) => form.MultipartBodyLengthLimit = web.Value.MaxUploadBytes + UploadOverheadBytes);
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<IOptions<WebOptions>>((kestrel, web) =>
            kestrel.Limits.MaxRequestBodySize = Math.Max(kestrel.Limits.MaxRequestBodySize ?? 0, web.Value.MaxUploadBytes + UploadOverheadBytes));
        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeaderName;
            // The framework's default never marks this cookie Secure; outside Development it always is, like the sign-in cookie.
            options.Cookie.SecurePolicy = SecurePolicy(builder.Environment);
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToFolder("/Account");
            options.Conventions.AllowAnonymousToPage("/Index");
            options.Conventions.AllowAnonymousToPage("/Error");
            options.Conventions.AllowAnonymousToFolder("/Public");
            // The digest email's one-click unsubscribe: its signed token is the credential (Pages/Digests/Unsubscribe).
            options.Conventions.AllowAnonymousToPage("/Digests/Unsubscribe");
        });
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<JobStorageHealthCheck>("jobs");
        return builder;
    }

    /// <summary>The header that carries the anti-forgery token on script calls (the pages' scripts send it).</summary>
    public const string AntiforgeryHeaderName = "RequestVerificationToken";

    /// <summary>
    /// Every cookie Hatch sets is Secure outside Development, whatever scheme a request arrived by, so a proxy that
    /// forgets to forward the scheme cannot make a cookie travel in clear. Development keeps plain http://localhost working.
    /// </summary>
    public static CookieSecurePolicy SecurePolicy(IHostEnvironment environment) =>
        environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

    /// <summary>
    /// The forwarded headers are believed only from <c>Hatch:Web:KnownProxies</c> / <c>KnownNetworks</c>: ASP.NET Core's
    /// default trusts loopback, which would let anything on the machine claim HTTPS or another client address.
    /// </summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions forwarded, WebOptions web)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in web.KnownProxies) forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        foreach (var network in web.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
    }

    public static WebApplication UseHatchWeb(this WebApplication app)
    {
        // First of all, so HSTS, cookies, redirects, rate limits per address and logs see the client's scheme and address.
        app.UseForwardedHeaders();
        // Outside Development every cookie is Secure, so a page over plain HTTP could not keep a session or a form token
        // (the anti-forgery system would fail with a 500): say what to do instead. The API and /health still answer.
        if (!app.Environment.IsDevelopment())
            app.Use((context, next) => context.Request.IsHttps || !NeedsHttps(context.Request.Path) ? next(context) : RefusePlainHttpAsync(context));
        // An oversized or malformed body is the caller's mistake: answer with its status (413, 400), not 500.
        static int StatusFor(Exception ex) => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        // A person in a browser gets a page they can read and a way back; API clients keep ProblemDetails.
        app.UseWhen(Infrastructure.Protection.IsPageRequest, page => page
            .UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/Error", StatusCodeSelector = StatusFor })
            .UseStatusCodePagesWithReExecute("/Error"));
        app.UseWhen(http => !Infrastructure.Protection.IsPageRequest(http), api => api
            .UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StatusFor })
            .UseStatusCodePages());
        // Explicitly after the error handling, so the re-executed /Error is routed to its page (an implicit UseRouting
        // would sit at the very start, and a re-executed request would find no endpoint).
        app.UseRouting();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(RequireAntiforgeryHeaderOnCookieApiCallsAsync);
        return app;
    }

    /// <summary>
    /// A browser sends the sign-in cookie with any request, including one a hostile page makes it send; SameSite=Lax
    /// keeps it off cross-site posts, but not off same-site ones (another app on a sibling subdomain). So an API call that
    /// changes something and is signed by the cookie must carry the anti-forgery token in the
    /// <c>RequestVerificationToken</c> header. Bearer calls (an Authorization header, which a browser never adds by itself)
    /// and anonymous endpoints (sign-in, registration: there is no session to ride on) need none.
    /// </summary>
    private static async Task RequireAntiforgeryHeaderOnCookieApiCallsAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api")
            && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            && request.Headers.Authorization.Count == 0
            && context.User.Identity?.IsAuthenticated == true
            && context.GetEndpoint() is { } endpoint
            && endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)
        {
            var antiforgery = context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery token missing or invalid",
                    detail: MissingAntiforgeryMessage).ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    }

    public const string MissingAntiforgeryMessage =
        "An API call that changes something and is signed in by the cookie must send the anti-forgery token in the " +
        "RequestVerificationToken header (the value of a page's __RequestVerificationToken field); or sign in for a bearer token.";

    private static bool NeedsHttps(PathString path) =>
        !(path.StartsWithSegments("/api") || path.StartsWithSegments("/health") || path.StartsWithSegments("/openapi")
          || path.Value?.EndsWith(".atom", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The answer to a page asked for over plain HTTP outside Development.</summary>
    public const string PlainHttpMessage =
        "This Hatch serves its pages over HTTPS only. Open it with https://, or, behind a TLS-terminating proxy, list the " +
        "proxy's address in Hatch:Web:KnownProxies (or its network in Hatch:Web:KnownNetworks) so its X-Forwarded-Proto is believed.";

    private static Task RefusePlainHttpAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(PlainHttpMessage);
    }

    public static WebApplication MapHatchPages(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorPages().WithStaticAssets();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web));
    }
}

/// <summary>A proxy list that does not parse stops the start naming the key and the entry, rather than trusting nobody silently.</summary>
internal sealed class ProxyListValidation : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options) =>
        options.FirstInvalidProxyEntry() is { } problem ? ValidateOptionsResult.Fail($"{WebOptions.SectionName}:{problem}.") : ValidateOptionsResult.Success;
}

/// <summary>
/// The fallback policy: a signed-in user for every endpoint that states no policy of its own. A request that matched
/// no endpoint is left alone, so an unknown address still answers 404 rather than a sign-in challenge.
/// </summary>
internal sealed class SignedInWhereThereIsAnEndpoint
    : Microsoft.AspNetCore.Authorization.AuthorizationHandler<SignedInWhereThereIsAnEndpoint>, Microsoft.AspNetCore.Authorization.IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context, SignedInWhereThereIsAnEndpoint requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true || context.Resource is HttpContext http && http.GetEndpoint() is null)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
