using Hatch.Data;
using Hatch.Features.Review;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Hatch.Web.Pages.Admin;

/// <summary>Admins grant and revoke the Editor and Admin roles. An admin cannot take their own Admin role away.</summary>
public sealed class UsersModel(HatchDbContext db, UserManager<HatchUser> users) : UserPageModel
{
    public sealed record Row(string Id, string Email, string? DisplayName, bool IsEditor, bool IsAdmin);

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public IReadOnlyList<Row> Users { get; private set; } = [];

    [TempData] public string? Message { get; set; }
    [TempData] public string? Error { get; set; }

    public string CurrentUserId => UserId;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!(await ReviewService.ActorAsync(db, UserId, ct)).IsAdmin) return Forbid();
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var q = Q.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(q) || (u.DisplayName != null && u.DisplayName.ToUpper().Contains(q)));
        }
        var list = await query.OrderBy(u => u.NormalizedEmail).Take(200).Select(u => new { u.Id, u.Email, u.DisplayName }).ToListAsync(ct);
        var ids = list.Select(u => u.Id).ToArray();
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ids.Contains(ur.UserId) select new { ur.UserId, r.Name }).ToListAsync(ct);
        Users = list.Select(u => new Row(u.Id, u.Email ?? u.Id, u.DisplayName,
            roles.Any(r => r.UserId == u.Id && r.Name == HatchUser.Roles.Editor),
            roles.Any(r => r.UserId == u.Id && r.Name == HatchUser.Roles.Admin))).ToArray();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string userId, string role, bool grant, CancellationToken ct)
    {
        if (!(await ReviewService.ActorAsync(db, UserId, ct)).IsAdmin) return Forbid();
        var roleName = HatchUser.Roles.All.FirstOrDefault(r => r.Equals(role, StringComparison.OrdinalIgnoreCase));
        var user = await users.FindByIdAsync(userId);
        if (roleName is null || user is null) return NotFound();
        if (!grant && roleName == HatchUser.Roles.Admin && userId == UserId)
        {
            Error = "You cannot revoke your own Admin role; ask another admin.";
            return RedirectToPage(new { Q });
        }
        var result = grant
            ? (await users.IsInRoleAsync(user, roleName) ? IdentityResult.Success : await users.AddToRoleAsync(user, roleName))
            : (await users.IsInRoleAsync(user, roleName) ? await users.RemoveFromRoleAsync(user, roleName) : IdentityResult.Success);
        // A new security stamp makes every cookie and token issued with the old roles fail their next validation.
        if (result.Succeeded) result = await users.UpdateSecurityStampAsync(user);
        if (result.Succeeded) Message = $"{user.Email} {(grant ? "now has" : "no longer has")} the {roleName} role.";
        else Error = string.Join(" ", result.Errors.Select(e => e.Description));
        return RedirectToPage(new { Q });
    }
}
