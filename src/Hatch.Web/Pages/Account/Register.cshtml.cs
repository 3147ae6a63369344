using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Encodings.Web;
using Hatch.Web.Api;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hatch.Web.Pages.Account;

public sealed class RegisterModel(
    UserManager<HatchUser> users, SignInManager<HatchUser> signIn, IOptions<AuthOptions> auth, IEmailSender<HatchUser> emailSender) : PageModel
{
    /// <summary>Registration is off (<c>Hatch:Auth:AllowRegistration</c>): the page says so and shows no form.</summary>
    public bool Closed => !auth.Value.AllowRegistration;

    /// <summary>The account exists but signs in only once the link mailed to it is followed.</summary>
    public bool ConfirmationSent { get; private set; }

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

    public IActionResult OnGet() => Closed ? ClosedPage() : Page();

    private IActionResult ClosedPage()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Register)]
    public async Task<IActionResult> OnPostAsync()
    {
        if (Closed) return ClosedPage();
        if (!ModelState.IsValid) return Page();
        var user = new HatchUser { UserName = Form.Email, Email = Form.Email, DisplayName = string.IsNullOrWhiteSpace(Form.DisplayName) ? null : Form.DisplayName.Trim() };
        var result = await users.CreateAsync(user, Form.Password);
        // A taken address must not be told apart from a new one. Where addresses are confirmed by mail, both get the
        // same "check your mail" page; without mail a new account signs in at once, so the page can only refuse the
        // taken one with a message that does not repeat the address (see docs/security.md).
        if (!result.Succeeded && result.Errors.All(e => AuthApi.SaysTheAddressIsTaken(e.Code)))
        {
            if (signIn.Options.SignIn.RequireConfirmedEmail)
            {
                ConfirmationSent = true;
                return Page();
            }
            ModelState.AddModelError(string.Empty, "This address cannot open a new account here. If it is yours, sign in or reset your password.");
            return Page();
        }
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
                ModelState.AddModelError(string.Empty, error.Description);
            return Page();
        }
        if (signIn.Options.SignIn.RequireConfirmedEmail)
        {
            // The same link /api/auth/register mails: Identity's own confirmEmail endpoint.
            var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
            var link = $"{Request.Scheme}://{Request.Host}/api/auth/confirmEmail?userId={Uri.EscapeDataString(user.Id)}&code={code}";
            await emailSender.SendConfirmationLinkAsync(user, Form.Email, HtmlEncoder.Default.Encode(link));
            ConfirmationSent = true;
            return Page();
        }
        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect("/Highlights");
    }
}
