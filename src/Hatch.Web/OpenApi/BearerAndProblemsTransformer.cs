using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hatch.Web.OpenApi;

/// <summary>
/// Declares the bearer scheme that Identity's <c>POST /api/auth/login</c> hands out tokens for, and gives every error
/// response that lacks a body the one the app sends: ProblemDetails (application/problem+json), written by the status
/// code pages or by the handler.
/// </summary>
internal sealed class BearerAndProblemsTransformer : IOpenApiDocumentTransformer
{
    public const string BearerSchemeName = "Bearer";
    private const string ProblemMediaType = "application/problem+json";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerSchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The accessToken from POST /api/auth/login (an opaque token, valid for an hour; POST /api/auth/refresh renews it).",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(nameof(ProblemDetails)))
            document.Components.Schemas[nameof(ProblemDetails)] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);

        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations ?? []).Select(o => o.Value))
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status.Length != 3 || status[0] is not ('4' or '5') || response is not OpenApiResponse concrete) continue;
                concrete.Content ??= new Dictionary<string, OpenApiMediaType>();
                if (concrete.Content.Count == 0)
                    concrete.Content[ProblemMediaType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), document) };
            }
        }
    }
}
