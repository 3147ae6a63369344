using Hatch.Data;
using Hatch.Web.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Api;

/// <summary>/api/auth: Identity's own endpoints (register, login → {accessToken}, refresh, manage).</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapHatchAuthApi(this IEndpointRouteBuilder app)
    {
        var identity = app.MapGroup("/api/auth").WithTags("Auth").MapIdentityApi<HatchUser>();
        // Identity maps its endpoints itself; the limits are attached to them by route, per client address.
        identity.Add(endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder { RoutePattern: var pattern }) return;
            // Signing in, registering and recovering an account are for people without a session; /manage stays behind sign-in.
            if (!(pattern.RawText ?? "").Contains("/manage", StringComparison.OrdinalIgnoreCase))
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
            if (PolicyFor(pattern) is { } policy)
                endpoint.Metadata.Add(new EnableRateLimitingAttribute(policy));
            if (IsRegistration(pattern))
                endpoint.FilterFactories.Add((_, next) => async context =>
                    context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AllowRegistration
                        ? await next(context)
                        : RegistrationClosed());
        });
        return app;
    }

    private static bool IsRegistration(RoutePattern pattern) =>
        string.Equals(pattern.RawText?.TrimEnd('/').Split('/')[^1], "register", StringComparison.OrdinalIgnoreCase);

    /// <summary>The answer while <c>Hatch:Auth:AllowRegistration</c> is off, for the API and the page alike.</summary>
    public const string ClosedMessage = "Registration is closed on this Hatch. Ask its operator for an account (hatch users add).";

    private static IResult RegistrationClosed() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Registration is closed", detail: ClosedMessage);

    private static string? PolicyFor(RoutePattern pattern) => pattern.RawText?.TrimEnd('/').Split('/')[^1].ToLowerInvariant() switch
    {
        "login" or "refresh" => RateLimitPolicies.SignIn,
        "register" or "forgotpassword" or "resendconfirmationemail" or "resetpassword" => RateLimitPolicies.Register,
        _ => null,
    };
}
