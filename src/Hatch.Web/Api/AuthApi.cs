using Hatch.Data;
using Hatch.Web.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;

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
            if (endpoint is RouteEndpointBuilder { RoutePattern: var pattern } && PolicyFor(pattern) is { } policy)
                endpoint.Metadata.Add(new EnableRateLimitingAttribute(policy));
        });
        return app;
    }

    private static string? PolicyFor(RoutePattern pattern) => pattern.RawText?.TrimEnd('/').Split('/')[^1].ToLowerInvariant() switch
    {
        "login" or "refresh" => RateLimitPolicies.SignIn,
        "register" or "forgotpassword" or "resendconfirmationemail" or "resetpassword" => RateLimitPolicies.Register,
        _ => null,
    };
}
