using Hatch.Features.Digests;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages.Digests;

/// <summary>
/// The digest email's unsubscribe link. Opening it (GET) only asks, because mail scanners follow links; a POST turns
/// the reader's digests off without a session: RFC 8058's one-click POST from the mail client, or the button here.
/// The signed token is the only credential, so there is no antiforgery token to check (the mail client has none).
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(IDigestLinkSigner signer, DigestSettingsStore store) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    public bool ValidToken { get; private set; }
    public bool Done { get; private set; }

    public IActionResult OnGet()
    {
        ValidToken = Token is not null && signer.VerifyUnsubscribe(Token) is not null;
        if (!ValidToken) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        // Query first: RFC 8058 posts "List-Unsubscribe=One-Click" as the body to the link itself, token in the query.
        var token = Request.Query["token"].FirstOrDefault() ?? Token;
        Token = token;
        if (token is null || signer.VerifyUnsubscribe(token) is not { } userId)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        ValidToken = true;
        await store.TurnOffAsync(userId, ct);
        Done = true;
        return Page();
    }
}
