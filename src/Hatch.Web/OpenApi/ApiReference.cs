using Scalar.AspNetCore;

namespace Hatch.Web.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and the interactive reference (Scalar) at <c>/scalar</c> built from
/// it. Both are open to anyone: they describe the API, and "try it" still needs a bearer token from
/// <c>POST /api/auth/login</c>.
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/scalar";

    public static IHostApplicationBuilder AddHatchApiReference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddOperationTransformer<IdentityEndpointsTransformer>();
            options.AddOperationTransformer<ErrorResponsesTransformer>();
            options.AddOperationTransformer<ExamplesTransformer>();
            options.AddDocumentTransformer<BearerAndProblemsTransformer>();
        });
        return builder;
    }

    public static WebApplication MapHatchApiReference(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, (options, http) =>
            {
                // Everything the page needs ships inside the package: no CDN, no web fonts, no telemetry, no proxy for
                // "try it" (requests go straight to this site with the token pasted into the Bearer scheme).
                options.WithTitle("Hatch API")
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    // The pasted token stays in the page; it is not persisted in the browser's storage.
                    .AddPreferredSecuritySchemes(BearerAndProblemsTransformer.BearerSchemeName);
                // The page boots with one inline module script. The site's policy allows no inline script, so this
                // response gets a fresh nonce and a policy that admits that script alone.
                var nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
                options.WithNonce(nonce);
                http.Response.Headers.ContentSecurityPolicy =
                    $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
                    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}
