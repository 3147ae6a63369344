using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hatch.Web.OpenApi;

/// <summary>
/// The errors every API operation can answer whatever its handler does, so that each handler need not repeat them:
/// 401 when it needs sign-in (and the bearer scheme it takes), 404 for an id in the path that is unknown or another
/// user's, and 400 for a body that cannot be read. Handlers declare their own errors beyond these
/// (<c>ProducesProblem</c>); <see cref="BearerAndProblemsTransformer"/> then gives every error its ProblemDetails body.
/// </summary>
internal sealed class ErrorResponsesTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = "/" + (description.RelativePath ?? "").TrimStart('/');
        if (!path.StartsWith("/api/", StringComparison.Ordinal)) return Task.CompletedTask;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerAndProblemsTransformer.BearerSchemeName, context.Document)] = [],
            });
            Add(operation, 401, "Not signed in: no bearer token, or an expired one (sign in again with POST /api/auth/login).");
        }
        if (description.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path))
            Add(operation, 404, "Not found: no such id, or it belongs to another user.");
        if (operation.RequestBody is not null)
            Add(operation, 400, "The body could not be read (malformed JSON or form, or missing fields).");
        return Task.CompletedTask;
    }

    internal static void Add(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.Responses!.ContainsKey(key))
            operation.Responses[key] = new OpenApiResponse { Description = description };
    }
}
