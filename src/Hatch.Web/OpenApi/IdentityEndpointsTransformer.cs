using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hatch.Web.OpenApi;

/// <summary>
/// Summaries and error responses for the endpoints that ASP.NET Core Identity maps under /api/auth
/// (<c>MapIdentityApi</c>): they come without either, and cannot take <c>WithSummary</c> one by one.
/// </summary>
internal sealed class IdentityEndpointsTransformer : IOpenApiOperationTransformer
{
    private sealed record Doc(string Summary, params (int Status, string Description)[] Errors);

    private static readonly Dictionary<string, Doc> Docs = new(StringComparer.Ordinal)
    {
        ["POST /api/auth/register"] = new("Creates an account from an email and a password (8 characters at least, with a digit, an upper- and a lower-case letter and a symbol)."),
        ["POST /api/auth/login"] = new("Signs in: {tokenType, accessToken, expiresIn, refreshToken}. Send 'Authorization: Bearer ACCESSTOKEN' with every other call (in this reference: the Bearer scheme).",
            (401, "Wrong email or password, or the account is locked out after too many failures.")),
        ["POST /api/auth/refresh"] = new("Trades a refresh token for a new access token.", (401, "The refresh token is unknown or expired: sign in again.")),
        ["GET /api/auth/confirmEmail"] = new("Confirms an email address from the link Identity sends.", (401, "The link is wrong or expired.")),
        ["POST /api/auth/resendConfirmationEmail"] = new("Sends the confirmation link again (answers 200 whether or not the address is known)."),
        ["POST /api/auth/forgotPassword"] = new("Sends a password reset code (answers 200 whether or not the address is known)."),
        ["POST /api/auth/resetPassword"] = new("Sets a new password with the reset code."),
        ["POST /api/auth/manage/2fa"] = new("Reads or changes two-factor sign-in for the signed-in account."),
        ["GET /api/auth/manage/info"] = new("The signed-in account: email and whether it is confirmed."),
        ["POST /api/auth/manage/info"] = new("Changes the signed-in account's email or password."),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!Docs.TryGetValue(OperationKey.Of(context.Description), out var doc)) return Task.CompletedTask;
        operation.Summary ??= doc.Summary;
        foreach (var (status, description) in doc.Errors)
            ErrorResponsesTransformer.Add(operation, status, description);
        return Task.CompletedTask;
    }
}
