using Hatch.Data;
using Hatch.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
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
            {
                endpoint.FilterFactories.Add((_, next) => async context =>
                    context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AllowRegistration
                        ? await next(context)
                        : RegistrationClosed());
                endpoint.FilterFactories.Add((_, next) => async context => WithoutTakenAddress(await next(context)));
            }
            if (LastSegment(pattern) == "login")
                endpoint.FilterFactories.Add((_, next) => async context => OneSignInFailure(await next(context)));
        });
        return app;
    }

    private static bool IsRegistration(RoutePattern pattern) => LastSegment(pattern) == "register";

    private static string LastSegment(RoutePattern pattern) => (pattern.RawText?.TrimEnd('/').Split('/')[^1] ?? "").ToLowerInvariant();

    /// <summary>Identity's error codes that say an address already has an account.</summary>
    public static bool SaysTheAddressIsTaken(string code) => code is "DuplicateUserName" or "DuplicateEmail";

    /// <summary>
    /// Registering a taken address answers exactly as registering a new one (200, no body), so the endpoint cannot be
    /// used to learn who has an account. Other errors (a weak password, a malformed address) stay: they say nothing
    /// about anyone else, and Identity checks the password before it looks for the address.
    /// </summary>
    private static object? WithoutTakenAddress(object? result)
    {
        if ((result is INestedHttpResult nested ? nested.Result : result) is not ValidationProblem problem) return result;
        var others = problem.ProblemDetails.Errors.Where(e => !SaysTheAddressIsTaken(e.Key)).ToDictionary();
        if (others.Count == problem.ProblemDetails.Errors.Count) return result;
        return others.Count == 0 ? TypedResults.Ok() : TypedResults.ValidationProblem(others);
    }

    /// <summary>The one answer to a sign-in that failed, whether the address is unknown, the password wrong or the account locked.</summary>
    public const string SignInFailedMessage =
        "That email and password do not match an account whose address is confirmed, or the account is locked for a few minutes after too many failed attempts.";

    /// <summary>
    /// Identity answers "LockedOut" and "NotAllowed" (address not confirmed) before it checks the password, and only an
    /// existing account can be locked or unconfirmed: either would tell anyone that an address has an account. Every
    /// failure gets one answer instead.
    /// </summary>
    private static object? OneSignInFailure(object? result) =>
        (result is INestedHttpResult nested ? nested.Result : result) is ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized }
            ? TypedResults.Problem(title: "Sign-in failed", detail: SignInFailedMessage, statusCode: StatusCodes.Status401Unauthorized)
            : result;

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
