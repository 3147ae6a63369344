using System.Text.Json;

namespace Hatch.Embeddings;

/// <summary>What a model provider said when it refused a call, for messages a person reads (chat and embeddings alike).</summary>
public static class ProviderErrors
{
    /// <summary>The provider's own message from an OpenAI-style error body, shortened.</summary>
    public static string? Message(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) return Shorten(error.GetString());
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message))
                    return Shorten(message.GetString());
            }
        }
        catch (JsonException)
        {
        }
        return Shorten(body);
    }

    private static string? Shorten(string? text) =>
        text is null ? null : text.Length <= 300 ? text.Trim() : text[..299].Trim() + "…";
}

/// <summary>Describes a failed embedding call for the log and the import report.</summary>
public static class EmbeddingFailure
{
    /// <summary>The provider's status and own message when it gave one, else the exception's message.</summary>
    public static string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is System.ClientModel.ClientResultException client && client.Status > 0)
            {
                var body = client.GetRawResponse()?.Content?.ToString();
                return $"the provider answered {client.Status} ({ProviderErrors.Message(body) ?? client.Message})";
            }
            if (e is HttpRequestException http)
                return http.StatusCode is { } status ? $"the provider answered {(int)status} ({http.Message})" : $"the provider could not be reached ({http.Message})";
        }
        return ex.Message;
    }
}
