using System.ComponentModel.DataAnnotations;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages.Account;

public sealed class RegisterModel(UserManager<HatchUser> users, SignInManager<HatchUser> signIn) : PageModel
{
    public sealed class Input
    {
        [Required, EmailAddress, Display(Name = "Email")]
        public string Email { get; set; } = "";

        [StringLength(HatchUser.DisplayNameMaxLength), Display(Name = "Your name (optional)")]
        public string? DisplayName { get; set; }

        [Required, DataType(DataType.Password), StringLength(200, MinimumLength = 8), Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The passwords do not match."), Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";
    }

    [BindProperty]
    public Input Form { get; set; } = new();

    public void OnGet() { }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Register)]
    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var user = new HatchUser { UserName = Form.Email, Email = Form.Email, DisplayName = string.IsNullOrWhiteSpace(Form.DisplayName) ? null : Form.DisplayName.Trim() };
        var result = await users.CreateAsync(user, Form.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
                ModelState.AddModelError(string.Empty, error.Description);
            return Page();
        }
        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect("/Highlights");
    }
}
