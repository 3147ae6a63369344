using Hatch.Data;

namespace Hatch.Web.Api;

/// <summary>/api/auth: Identity's own endpoints (register, login → {accessToken}, refresh, manage).</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapHatchAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/auth").WithTags("Auth").MapIdentityApi<HatchUser>();
        return app;
    }
}
