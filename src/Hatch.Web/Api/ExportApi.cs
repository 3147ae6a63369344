using System.Security.Claims;
using Hatch.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hatch.Web.Api;

/// <summary>/api/export: the reader's library leaves as Obsidian-ready Markdown.</summary>
public static class ExportApi
{
    public const string ZipMediaType = "application/zip";

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/export")
            .WithTags("Export")
            .RequireAuthorization()
            .MapGet("/library.zip", LibraryAsync)
            .Produces(StatusCodes.Status200OK, contentType: ZipMediaType)
            .WithSummary("The whole library as a zip of Markdown: one file per source with YAML front matter, each highlight a quote with its note and location.");
        return app;
    }

    private static async Task<FileContentHttpResult> LibraryAsync(ClaimsPrincipal user, HatchDbContext db, TimeProvider time, CancellationToken ct)
    {
        // Built in memory: a zip is written synchronously, which Kestrel's response stream does not allow.
        using var buffer = new MemoryStream();
        await db.WriteLibraryZipAsync(user.UserId(), buffer, ct);
        var name = $"hatch-library-{time.GetUtcNow():yyyy-MM-dd}.zip";
        return TypedResults.File(buffer.ToArray(), ZipMediaType, name);
    }
}
