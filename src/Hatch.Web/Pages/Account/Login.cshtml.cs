using System.ComponentModel.DataAnnotations;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages.Account;

public sealed class LoginModel(SignInManager<HatchUser> signIn) : PageModel
{
    public sealed class Input
    {
        [Required, EmailAddress, Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Display(Name = "Keep me signed in")]
        public bool RememberMe { get; set; }
    }

    [BindProperty]
    public Input Form { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet() { }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.SignIn)]
    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var result = await signIn.PasswordSignInAsync(Form.Email, Form.Password, Form.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/Highlights");
        // One message whether the address is unknown, the password wrong, the address unconfirmed or the account locked:
        // Identity reports the last two before checking the password, and only an existing account can be in either.
        ModelState.AddModelError(string.Empty, Api.AuthApi.SignInFailedMessage);
        return Page();
    }
}
