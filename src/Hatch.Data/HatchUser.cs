using Microsoft.AspNetCore.Identity;

namespace Hatch.Data;

public sealed class HatchUser : IdentityUser
{
    public const int DisplayNameMaxLength = 100;

    /// <summary>The name published articles are signed with ("Hatched by NAME"); the email address never is.</summary>
    [System.ComponentModel.DataAnnotations.MaxLength(DisplayNameMaxLength)]
    public string? DisplayName { get; set; }

    /// <summary>An editor's choice to be emailed when a draft is submitted for review (sent only while they review and email is on).</summary>
    public bool EmailOnSubmission { get; set; }

    /// <summary>What a public page may call this person: their display name, else a neutral label.</summary>
    public static string PublicName(string? displayName, string? authorName) =>
        !string.IsNullOrWhiteSpace(authorName) ? authorName.Trim()
        : !string.IsNullOrWhiteSpace(displayName) ? displayName.Trim()
        : "a Hatch reader";

    public static class Roles
    {
        public const string Admin = "Admin";
        public const string Editor = "Editor";
        public static readonly IReadOnlyList<string> All = [Admin, Editor];
    }
}

/// <summary>
/// Identity's account rules, one configuration for every way an account is made: registration on the web and
/// `hatch users add` both apply it, so the command cannot create an account the web app would refuse.
/// </summary>
public static class HatchIdentityRules
{
    public static void Apply(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 8;
        options.Lockout.MaxFailedAccessAttempts = 10;
    }
}
