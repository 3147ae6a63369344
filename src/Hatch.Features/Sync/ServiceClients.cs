using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hatch.Writing.Importing;

namespace Hatch.Features.Sync;

/// <summary>What a service said of a token.</summary>
public enum TokenVerdict { Valid, Rejected }

/// <summary>Shared sending and error reading for the service clients: one place turns an answer into a <see cref="SyncHttpException"/>.</summary>
public abstract class ServiceClient(HttpClient http, TimeProvider time)
{
    protected abstract string ServiceName { get; }

    protected async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new SyncHttpException($"{ServiceName} could not be reached", inner: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SyncHttpException($"{ServiceName} did not answer in time", inner: ex);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfterOf(response);
            var message = status switch
            {
                401 or 403 => $"{ServiceName} rejected the token ({status}); add a new token on the Connections page",
                429 => $"{ServiceName} asked Hatch to slow down (429)" + (retryAfter is { } wait ? $" for {wait.TotalSeconds:F0} s" : ""),
                _ => $"{ServiceName} answered {status} {response.ReasonPhrase}".TrimEnd(),
            };
            throw new SyncHttpException(message, status, retryAfter);
        }
    }

    protected async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken)
                   ?? throw new SyncHttpException($"{ServiceName} sent an empty answer");
        }
        catch (JsonException ex)
        {
            // Not what the API documents: a proxy's error page, a truncated body. Worth another try like a server error.
            throw new SyncHttpException($"{ServiceName} sent an answer Hatch could not read", inner: ex);
        }
    }

    /// <summary>Retry-After as seconds or as an HTTP date.</summary>
    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date) return date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        return null;
    }
}

/// <summary>Readwise's API v2: <c>GET /api/v2/auth/</c> and the export, with <c>Authorization: Token …</c>.</summary>
public sealed class ReadwiseClient(HttpClient http, TimeProvider time) : ServiceClient(http, time)
{
    protected override string ServiceName => "Readwise";

    public async Task<TokenVerdict> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(Request(token, "api/v2/auth/"), cancellationToken);
            // 204 is the documented answer for a valid token; any success means the token was accepted.
            return TokenVerdict.Valid;
        }
        catch (SyncHttpException ex) when (ex.TokenRejected)
        {
            return TokenVerdict.Rejected;
        }
    }

    /// <summary>One page of books with the highlights updated after <paramref name="updatedAfter"/> (all when null).</summary>
    public async Task<ReadwiseExportPage> ExportAsync(string token, string? updatedAfter, string? pageCursor, CancellationToken cancellationToken)
    {
        var query = new List<string>(3);
        if (updatedAfter is not null)
        {
            query.Add("updatedAfter=" + Uri.EscapeDataString(updatedAfter));
            // Later syncs ask for highlights deleted since, marked is_deleted, so a deletion in Readwise reaches Hatch;
            // a first sync has nothing to delete.
            query.Add("includeDeleted=true");
        }
        if (pageCursor is not null) query.Add("pageCursor=" + Uri.EscapeDataString(pageCursor));
        var path = "api/v2/export/" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        using var response = await SendAsync(Request(token, path), cancellationToken);
        return await ReadJsonAsync<ReadwiseExportPage>(response, cancellationToken);
    }

    private static HttpRequestMessage Request(string token, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        return request;
    }
}

/// <summary>A Hypothesis account id, <c>acct:NAME@DOMAIN</c>: the name and the authority (domain) it belongs to.</summary>
public static class HypothesisAccount
{
    /// <summary>The public service's authority, for a user id without one and for connections made before it was kept.</summary>
    public const string DefaultAuthority = "hypothes.is";

    public static (string Name, string Authority) Parse(string userId)
    {
        var account = userId.StartsWith("acct:", StringComparison.OrdinalIgnoreCase) ? userId[5..] : userId;
        var at = account.LastIndexOf('@');
        return at < 0
            ? (account, DefaultAuthority)
            : (account[..at], at == account.Length - 1 ? DefaultAuthority : account[(at + 1)..]);
    }

    /// <summary>The <c>user=</c> of a search for the account.</summary>
    public static string UserId(string? name, string? authority) => $"acct:{name}@{authority ?? DefaultAuthority}";
}

/// <summary>One annotation of a Hypothesis search page: its id, its <c>updated</c> stamp and the row itself.</summary>
public sealed record HypothesisAnnotation(string Id, string Updated, JsonElement Row);

/// <summary>One page of a listing of annotation ids.</summary>
public sealed record HypothesisIdPage(IReadOnlyList<string> Ids, string? LastUpdated, int Rows);

/// <summary>Hypothesis's API: <c>GET /api/profile</c> and <c>GET /api/search</c>, with <c>Authorization: Bearer …</c>.</summary>
public sealed class HypothesisClient(HttpClient http, TimeProvider time) : ServiceClient(http, time)
{
    protected override string ServiceName => "Hypothesis";

    /// <summary>The token's user id (<c>acct:NAME@DOMAIN</c>), or null when Hypothesis does not know the token.</summary>
    public async Task<string?> ProfileUserIdAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(Request(token, "api/profile"), cancellationToken);
            using var profile = await ReadJsonAsync<JsonDocument>(response, cancellationToken);
            // An unknown token may also answer 200 with an anonymous profile (userid null).
            return profile.RootElement.TryGetProperty("userid", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (SyncHttpException ex) when (ex.TokenRejected)
        {
            return null;
        }
    }

    /// <summary>The user's annotations updated after <paramref name="searchAfter"/>, oldest first.</summary>
    public async Task<IReadOnlyList<HypothesisAnnotation>> SearchAsync(string token, string user, string? searchAfter, int limit, CancellationToken cancellationToken)
    {
        var path = $"api/search?user={Uri.EscapeDataString(user)}&sort=updated&order=asc&limit={limit.ToString(CultureInfo.InvariantCulture)}"
                   + (searchAfter is null ? "" : "&search_after=" + Uri.EscapeDataString(searchAfter));
        using var response = await SendAsync(Request(token, path), cancellationToken);
        using var page = await ReadJsonAsync<JsonDocument>(response, cancellationToken);
        if (!page.RootElement.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
            throw new SyncHttpException("Hypothesis sent a search answer without \"rows\"");
        var annotations = new List<HypothesisAnnotation>(rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            var id = row.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var updated = row.TryGetProperty("updated", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            if (id is null || updated is null) continue; // not an annotation the search would return; nothing to key it by
            annotations.Add(new HypothesisAnnotation(id, updated, row.Clone()));
        }
        return annotations;
    }

    /// <summary>
    /// One page of the account's annotation ids, oldest <c>updated</c> first: the same search, with only each row's id
    /// kept. <see cref="HypothesisIdPage.Rows"/> counts every row (a short page is the last), <see cref="HypothesisIdPage.LastUpdated"/>
    /// is the <c>search_after</c> of the next page.
    /// </summary>
    public async Task<HypothesisIdPage> SearchIdsAsync(string token, string user, string? searchAfter, int limit, CancellationToken cancellationToken)
    {
        var path = $"api/search?user={Uri.EscapeDataString(user)}&sort=updated&order=asc&limit={limit.ToString(CultureInfo.InvariantCulture)}"
                   + (searchAfter is null ? "" : "&search_after=" + Uri.EscapeDataString(searchAfter));
        using var response = await SendAsync(Request(token, path), cancellationToken);
        using var page = await ReadJsonAsync<JsonDocument>(response, cancellationToken);
        if (!page.RootElement.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
            throw new SyncHttpException("Hypothesis sent a search answer without \"rows\"");
        var ids = new List<string>(rows.GetArrayLength());
        string? last = null;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String) ids.Add(i.GetString()!);
            if (row.TryGetProperty("updated", out var u) && u.ValueKind == JsonValueKind.String) last = u.GetString();
        }
        return new HypothesisIdPage(ids, last, rows.GetArrayLength());
    }

    private static HttpRequestMessage Request(string token, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
