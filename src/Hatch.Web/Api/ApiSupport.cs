using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Hatch.Web.Api;

internal static class ApiSupport
{
    /// <summary>The signed-in user's id; every API group requires authorization, so it is always there.</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated.");

}


/// <summary>
/// A form post that rides on the sign-in cookie could come from another site, so it must carry the anti-forgery
/// token; bearer-token callers and JSON bodies (which browsers cannot send cross-site without CORS) need none.
/// </summary>
internal sealed class CookieFormsNeedAntiforgery(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var unsafeMethod = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        var bearer = http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (unsafeMethod && !bearer && http.Request.HasFormContentType && !await antiforgery.IsRequestValidAsync(http))
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Missing or invalid anti-forgery token",
                detail: "Form posts signed in by cookie must carry the anti-forgery token; API clients should use a bearer token.");
        return await next(context);
    }
}
