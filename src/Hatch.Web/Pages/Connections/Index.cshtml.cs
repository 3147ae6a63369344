using Hatch.Domain.Connections;
using Hatch.Features.Sync;
using Microsoft.AspNetCore.Mvc;

namespace Hatch.Web.Pages.Connections;

/// <summary>The reader's connections to Readwise and Hypothesis: add one, see how each sync went, sync now, remove.</summary>
public sealed class IndexModel(ConnectionService connections) : UserPageModel
{
    public sealed class AddForm
    {
        public string Service { get; set; } = ConnectionServices.Readwise;
        public string? Token { get; set; }
        public string? Username { get; set; }
    }

    [BindProperty] public AddForm Form { get; set; } = new();

    public IReadOnlyList<Connection> Items { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();

    /// <summary>What the last action did, shown once after the redirect.</summary>
    [TempData] public string? Message { get; set; }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var message) ? message : null;

    public async Task OnGetAsync(CancellationToken ct) => Items = await connections.ListAsync(UserId, ct);

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Import)]
    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var result = await connections.AddAsync(UserId, Form.Service, Form.Token, Form.Username, ct);
        switch (result)
        {
            case AddConnectionResult.Added added:
                Message = added.Created ? $"Connected to {Name(added.Connection.Service)}; the first sync has started." : $"New token saved for {Name(added.Connection.Service)}; syncing again.";
                return RedirectToPage();
            case AddConnectionResult.Invalid invalid:
                Errors = new Dictionary<string, string> { [invalid.Field] = invalid.Message };
                break;
            case AddConnectionResult.Unavailable unavailable:
                Errors = new Dictionary<string, string> { ["service"] = unavailable.Message };
                break;
        }
        // Never echo the token back into the form.
        Form.Token = null;
        Items = await connections.ListAsync(UserId, ct);
        return Page();
    }

    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Infrastructure.RateLimitPolicies.Import)]
    public async Task<IActionResult> OnPostSyncAsync(Guid id, CancellationToken ct)
    {
        Message = await connections.RequestSyncAsync(UserId, id, ct) switch
        {
            null => "That connection no longer exists.",
            false => "This connection needs a new token before it can sync: add it again below with a new token.",
            true => "Sync started.",
        };
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken ct)
    {
        Message = await connections.RemoveAsync(UserId, id, ct)
            ? "Connection removed. The highlights it brought stay in your library."
            : "That connection no longer exists.";
        return RedirectToPage();
    }

    public static string Name(string service) => service switch
    {
        ConnectionServices.Readwise => "Readwise",
        ConnectionServices.Hypothesis => "Hypothesis",
        _ => service,
    };
}
