using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace Hatch.Web.OpenApi;

internal static class OperationKey
{
    /// <summary>"POST /api/hatches", "GET /api/drafts/{id}": the operation as the document lists it.</summary>
    public static string Of(ApiDescription description)
    {
        var path = "/" + (description.RelativePath ?? "").Trim('/');
        // Route constraints ({id:guid}) are not part of the document's path template.
        path = System.Text.RegularExpressions.Regex.Replace(path, @"\{(\*{0,2})([^}:=?]+)[^}]*\}", "{$2}");
        return $"{description.HttpMethod?.ToUpperInvariant()} {path}";
    }
}
