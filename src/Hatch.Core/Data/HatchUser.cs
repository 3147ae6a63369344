using Microsoft.AspNetCore.Identity;

namespace Hatch.Core.Data;

public sealed class HatchUser : IdentityUser
{
    public static class Roles
    {
        public const string Admin = "Admin";
        public const string Editor = "Editor";
        public static readonly IReadOnlyList<string> All = [Admin, Editor];
    }
}
