using System.CommandLine;
using System.Security.Claims;
using System.Security.Cryptography;
using Hatch.Cli.Hosting;
using Hatch.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Commands;

/// <summary>`hatch users add EMAIL [--role admin|editor] [--password P]` and `hatch users role EMAIL editor|admin [--revoke]`.</summary>
public static class UsersCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var email = new Argument<string>("EMAIL") { Description = "The new user's email address (also the sign-in name)." };
        var role = new Option<string?>("--role") { Description = "The role to give: admin or editor. Left out, the account has no role (it can hatch its own highlights)." };
        role.AcceptOnlyFromAmong("admin", "editor");
        var password = new Option<string?>("--password") { Description = "The password; when left out a strong one is generated and printed once." };

        var add = new Command("add", "Create a user, with a role if given. An account someone registered is refused: promote it with `hatch users role`.") { email, role, password };
        add.SetAction((parse, cancellationToken) => WithUsersAsync(stderr, cancellationToken, async users =>
        {
            var address = parse.GetValue(email)!.Trim();
            var roleName = parse.GetValue(role) is { } given ? RoleName(given) : null;
            var user = await users.FindByEmailAsync(address);
            string? generated = null;
            if (user is not null && !await CreatedByOperatorAsync(users, user))
            {
                // Whoever registered this address first owns the account, and may not be the person the operator means:
                // granting it a role here would hand that stranger the role. Promoting an account is a separate, explicit step.
                await stderr.WriteLineAsync($"hatch: an account with the email {address} already exists and was not created by `hatch users add`; "
                    + $"nothing changed. If it is the right person's, give it a role with `hatch users role {address} {parse.GetValue(role) ?? "editor"}`.");
                return ExitCodes.BadInput;
            }
            if (user is null)
            {
                var chosen = parse.GetValue(password);
                generated = chosen is null ? GeneratePassword() : null;
                user = new HatchUser { UserName = address, Email = address, EmailConfirmed = true };
                // The web app's own rules (HatchIdentityRules): a malformed address or a short password is refused here too.
                var created = await users.CreateAsync(user, chosen ?? generated!);
                if (!created.Succeeded)
                    return await Fail(stderr, created);
                var marked = await users.AddClaimAsync(user, new Claim(CreatedByClaim, "hatch users add"));
                if (!marked.Succeeded) return await Fail(stderr, marked);
            }
            if (roleName is null)
            {
                await stdout.WriteLineAsync($"hatch: {address} can sign in (no role).");
            }
            else
            {
                if (!await users.IsInRoleAsync(user, roleName))
                {
                    var added = await users.AddToRoleAsync(user, roleName);
                    if (!added.Succeeded) return await Fail(stderr, added);
                }
                await stdout.WriteLineAsync($"hatch: {address} has the role {roleName}.");
            }
            if (generated is not null)
                await stdout.WriteLineAsync($"hatch: generated password (shown only now): {generated}");
            return ExitCodes.Ok;
        }));
        return new Command("users", "Manage user accounts.") { add, CreateRole(stdout, stderr) };
    }

    /// <summary>`hatch users role EMAIL editor|admin [--revoke]`: grants (or takes away) a role of an existing user.</summary>
    private static Command CreateRole(TextWriter stdout, TextWriter stderr)
    {
        var email = new Argument<string>("EMAIL") { Description = "The user's email address." };
        var role = new Argument<string>("ROLE") { Description = "editor or admin." };
        role.AcceptOnlyFromAmong("editor", "admin");
        var revoke = new Option<bool>("--revoke") { Description = "Take the role away instead of granting it." };
        var command = new Command("role", "Grant a user the editor or admin role (or take it away with --revoke).") { email, role, revoke };
        command.SetAction((parse, cancellationToken) => WithUsersAsync(stderr, cancellationToken, async users =>
        {
            var address = parse.GetValue(email)!.Trim();
            var roleName = RoleName(parse.GetValue(role)!);
            var user = await users.FindByEmailAsync(address);
            if (user is null)
            {
                await stderr.WriteLineAsync($"hatch: no user has the email {address}; they register first (or use `hatch users add {address} --role {parse.GetValue(role)}`).");
                return ExitCodes.BadInput;
            }
            var has = await users.IsInRoleAsync(user, roleName);
            if (parse.GetValue(revoke))
            {
                if (has)
                {
                    var removed = await users.RemoveFromRoleAsync(user, roleName);
                    if (!removed.Succeeded) return await Fail(stderr, removed);
                    // Signed-in sessions carry the old roles; a new stamp makes them fail their next validation.
                    var rotated = await users.UpdateSecurityStampAsync(user);
                    if (!rotated.Succeeded) return await Fail(stderr, rotated);
                }
                await stdout.WriteLineAsync($"hatch: {address} does not have the role {roleName}{(has ? " any more" : "")}.");
                return ExitCodes.Ok;
            }
            if (!has)
            {
                var added = await users.AddToRoleAsync(user, roleName);
                if (!added.Succeeded) return await Fail(stderr, added);
            }
            await stdout.WriteLineAsync($"hatch: {address} has the role {roleName}{(has ? " (already)" : "")}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with Identity's user manager over an up-to-date database whose roles exist;
    /// a database behind its migrations is refused (exit 1) before anything changes.
    /// </summary>
    private static async Task<int> WithUsersAsync(TextWriter stderr, CancellationToken cancellationToken, Func<UserManager<HatchUser>, Task<int>> action)
    {
        using var host = CliHost.BuildDatabase(stderr: stderr);
        await using var scope = host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<HatchDatabase>();
        if ((await database.PendingMigrationsAsync(cancellationToken)).Count > 0)
        {
            await stderr.WriteLineAsync("hatch: the database schema is behind; run `hatch db migrate` first.");
            return ExitCodes.Failed;
        }
        await database.EnsureRolesAsync(cancellationToken);
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<HatchUser>>());
    }

    /// <summary>Marks the accounts `users add` made, so running it again for the same address stays idempotent.</summary>
    private const string CreatedByClaim = "hatch:created_by";

    private static async Task<bool> CreatedByOperatorAsync(UserManager<HatchUser> users, HatchUser user) =>
        (await users.GetClaimsAsync(user)).Any(c => c.Type == CreatedByClaim);

    private static string RoleName(string option) => option == "admin" ? HatchUser.Roles.Admin : HatchUser.Roles.Editor;

    private static async Task<int> Fail(TextWriter stderr, IdentityResult result)
    {
        foreach (var error in result.Errors)
            await stderr.WriteLineAsync($"hatch: {error.Description}");
        return ExitCodes.BadInput;
    }

    /// <summary>20 random characters that always satisfy Identity's default rules (upper, lower, digit, symbol).</summary>
    internal static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789", symbols = "!@#$%^&*-_=+";
        const string all = upper + lower + digits + symbols;
        var chars = new List<char>
        {
            upper[RandomNumberGenerator.GetInt32(upper.Length)], lower[RandomNumberGenerator.GetInt32(lower.Length)],
            digits[RandomNumberGenerator.GetInt32(digits.Length)], symbols[RandomNumberGenerator.GetInt32(symbols.Length)],
        };
        while (chars.Count < 20) chars.Add(all[RandomNumberGenerator.GetInt32(all.Length)]);
        return new string(chars.OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).ToArray());
    }
}
