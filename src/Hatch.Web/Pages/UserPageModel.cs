using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages;

/// <summary>Pages behind sign-in: everything they show is scoped to <see cref="UserId"/>.</summary>
public abstract class UserPageModel : PageModel
{
    protected string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("This page requires a signed-in user.");
}
