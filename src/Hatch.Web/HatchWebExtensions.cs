using System.Text.Json;
using System.Text.Json.Serialization;
using Hatch.Data;
using Hatch.ServiceDefaults;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
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
            // carry no cookie. Secure whenever the request came over HTTPS (behind a TLS proxy, forward the scheme).
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
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
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
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
            options.HeaderName = "RequestVerificationToken";
            // The framework's default never marks this cookie Secure; over HTTPS it should be, like the sign-in cookie.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
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

    public static WebApplication UseHatchWeb(this WebApplication app)
    {
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
        return app;
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
