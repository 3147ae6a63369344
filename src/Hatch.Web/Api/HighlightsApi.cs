using System.Security.Claims;
using System.Text;
using Hatch.Data;
using Hatch.Domain.Highlights;
using Hatch.Features.Library;
using Hatch.Web.Infrastructure;
using Hatch.Writing.Importing;
using Hatch.Writing.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Api;

public sealed record HighlightDto(
    Guid Id, string Text, string? Note, string Source, string? Author, string? Url, string? Location,
    IReadOnlyList<string> Tags, string? Color, DateTimeOffset? HighlightedAt, DateTimeOffset ImportedAt,
    Guid? ProbableDuplicateOf = null, bool HighlightedAtIsLocal = false, bool TruncatedByDevice = false,
    DateTimeOffset? DeletedUpstreamAt = null)
{
    public static HighlightDto From(StoredHighlight h) => new(
        h.Id, h.Text, h.Note, h.SourceTitle, h.SourceAuthor, DraftRenderer.SafeUrl(h.SourceUrl),
        h.ToHighlight().Location?.ToString(), h.TagList, h.Color, h.HighlightedAt, h.ImportedAt, h.ProbableDuplicateOfId,
        h.HighlightedAtIsLocal, h.TruncatedByDevice, h.DeletedUpstreamAt);
}

public sealed record HighlightInput(
    string? Text, string? Note = null, string? Source = null, string? Author = null, string? Url = null,
    string? Page = null, string? Location = null, IReadOnlyList<string>? Tags = null, string? Color = null, DateTimeOffset? HighlightedAt = null);

/// <param name="Next">
/// The <c>after</c> value that fetches the next page in reading order (keyset paging: stable while highlights are
/// imported); null on the last page and for ranked search results, which page by number.
/// </param>
public sealed record HighlightPage(IReadOnlyList<HighlightDto> Items, int Total, int Page, int PageSize, string? Next = null);

/// <param name="Mode">keyword, semantic or hybrid: ranked search for <paramref name="Q"/>; absent, Q matches words anywhere (text, note, source).</param>
/// <param name="After">The <c>next</c> of the previous page: the page after it in reading order (instead of <paramref name="Page"/>).</param>
public sealed record HighlightListQuery(string? Q, string? Source, string? Tag, DateOnly? From, DateOnly? To, int? Page, int? PageSize,
    [property: System.ComponentModel.Description("How q is matched: keyword (the default: a text search of the highlights' words), semantic (nearest in "
        + "meaning by the stored embeddings, best first) or hybrid (both rankings merged). semantic and hybrid are ranked, page by number "
        + "(page, pageSize) and count towards Hatch:RateLimits:SemanticSearchesPerMinute.")]
    string? Mode = null,
    string? After = null)
{
    public HighlightFilter Filter => new(Q, Source, Tag, From, To);
}

/// <summary>/api/highlights: the signed-in user's library.</summary>
public static class HighlightsApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapHighlightsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/highlights")
            .WithTags("Highlights")
            .RequireAuthorization()
            .AddEndpointFilter<CookieFormsNeedAntiforgery>();

        group.MapGet("/", ListAsync).RequireRateLimiting(RateLimitPolicies.SemanticSearch).WithSummary("Lists highlights, with search, source/tag/date filters and paging (follow 'next' with ?after=).");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One highlight.");
        group.MapPost("/", AddAsync).RequireRateLimiting(RateLimitPolicies.Import).WithSummary("Adds a JSON batch of highlights; duplicates (same text and source) are counted, not stored twice.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/import", ImportAsync)
            .RequireRateLimiting(RateLimitPolicies.Import)
            .DisableAntiforgery() // checked by CookieFormsNeedAntiforgery, so bearer clients can upload too
            .Accepts<ImportUpload>("multipart/form-data")
            .WithSummary("Imports an export file (multipart field 'file') in any format Hatch reads.")
            .WithDescription("Optional multipart field 'format': auto (the default: told from the file's content), kindle, readwise, "
                + "glasp, hypothesis, json or markdown, the names `hatch import --format` takes. Set it when the file's format "
                + "cannot be told from its content, or to read a Markdown document's quotes and bullets as highlights.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Ok<HighlightPage>, ValidationProblem>> ListAsync(
        [AsParameters] HighlightListQuery query, ClaimsPrincipal user, HatchDbContext db, HighlightSearch search, CancellationToken ct)
    {
        var page = Math.Max(1, query.Page ?? 1);
        var size = Math.Clamp(query.PageSize ?? 50, 1, MaxPageSize);
        SearchMode? searchMode = null;
        if (!string.IsNullOrWhiteSpace(query.Mode))
        {
            if (!Enum.TryParse<SearchMode>(query.Mode, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mode"] = ["mode must be keyword, semantic or hybrid."] });
            searchMode = parsed;
        }
        if (searchMode is { } mode && !string.IsNullOrWhiteSpace(query.Q))
        {
            var ranked = await RankedAsync(db, search, user.UserId(), query.Q, mode, query.Filter with { Q = null }, ct);
            return TypedResults.Ok(new HighlightPage(
                ranked.Skip((page - 1) * size).Take(size).Select(HighlightDto.From).ToArray(), ranked.Count, page, size));
        }
        var matching = db.HighlightsOf(user.UserId()).AsNoTracking().Matching(query.Filter);
        var total = await matching.CountAsync(ct);
        if (!string.IsNullOrEmpty(query.After) || query.Page is null)
        {
            ReadingCursor? after = null;
            if (!string.IsNullOrEmpty(query.After) && (after = ReadingCursor.Decode(query.After)) is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["after must be the 'next' value of a previous page."] });
            var (rows, next) = await matching.PageInReadingOrderAsync(after, size, ct);
            return TypedResults.Ok(new HighlightPage(rows.Select(HighlightDto.From).ToArray(), total, page, size, next?.Encode()));
        }
        var items = await matching.InReadingOrder().Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new HighlightPage(items.Select(HighlightDto.From).ToArray(), total, page, size));
    }

    /// <summary>Search hits in rank order, narrowed by the other filters (source, tag, dates).</summary>
    internal static async Task<IReadOnlyList<StoredHighlight>> RankedAsync(
        HatchDbContext db, HighlightSearch search, string userId, string q, SearchMode mode, HighlightFilter rest, CancellationToken ct)
    {
        var hits = await search.SearchAsync(userId, q, mode, HighlightSearch.MaxResults, ct);
        var ids = hits.Select(h => h.Id).ToArray();
        var rows = await db.HighlightsOf(userId).AsNoTracking().Where(h => ids.Contains(h.Id)).Matching(rest).ToDictionaryAsync(h => h.Id, ct);
        return ids.Where(rows.ContainsKey).Select(id => rows[id]).ToArray();
    }

    private static async Task<Results<Ok<HighlightDto>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, HatchDbContext db, CancellationToken ct) =>
        await db.HighlightsOf(user.UserId()).AsNoTracking().FirstOrDefaultAsync(h => h.Id == id, ct) is { } h
            ? TypedResults.Ok(HighlightDto.From(h))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<ImportReport>, ValidationProblem, ProblemHttpResult>> AddAsync(
        IReadOnlyList<HighlightInput> batch, ClaimsPrincipal user, HighlightIntake intake, IOptions<HatchLimits> limits, CancellationToken ct)
    {
        var max = limits.Value;
        if (batch.Count == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["highlights"] = ["Send at least one highlight."] });
        if (batch.Count > max.MaxHighlightsPerImport)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["highlights"] = [$"The batch has {max.TooMany(batch.Count)}."] },
                title: "Too many highlights");
        // Every over-long field is named (as [index].field), so a client can fix them all in one go.
        var tooLong = new Dictionary<string, string[]>();
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch[i];
            var probe = new Highlight
            {
                Text = input.Text ?? "", Note = input.Note, Source = new HighlightSource(input.Source ?? "", input.Author, input.Url),
                Location = new HighlightLocation(input.Page, input.Location), Tags = input.Tags ?? [], Color = input.Color,
            };
            if (max.TooLong(probe, out var field) is { } message)
                tooLong[$"[{i}].{field}"] = [$"Highlight {i + 1}: {message}."];
        }
        if (tooLong.Count > 0)
            return TypedResults.ValidationProblem(tooLong, title: "Highlights too long");

        var accepted = new List<Highlight>(batch.Count);
        var rejected = new List<ImportRejection>();
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch[i];
            if (string.IsNullOrWhiteSpace(input.Text))
            {
                rejected.Add(new ImportRejection(i + 1, "text is empty"));
                continue;
            }
            accepted.Add(new Highlight
            {
                Text = input.Text.Trim(),
                Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim(),
                Source = new HighlightSource(string.IsNullOrWhiteSpace(input.Source) ? HighlightSource.Unknown.Title : input.Source.Trim(), input.Author, input.Url),
                Location = input.Page is null && input.Location is null ? null : new HighlightLocation(input.Page, input.Location),
                Tags = input.Tags ?? [],
                Color = input.Color,
                HighlightedAt = input.HighlightedAt,
            });
        }
        try
        {
            return TypedResults.Ok(await intake.AddAsync(user.UserId(), accepted, rejected, "json", ct));
        }
        catch (ImportException ex)
        {
            return Unreadable(ex);
        }
    }

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, ClaimsPrincipal user, HighlightIntake intake, IOptions<WebOptions> options, CancellationToken ct)
    {
        var max = options.Value.MaxUploadBytes;
        if (request.ContentLength > max + HatchWebExtensions.UploadOverheadBytes)
            return TooLarge(max);
        if (!request.HasFormContentType)
            return TypedResults.Problem(statusCode: 400, title: "Expected a file upload",
                detail: "Send multipart/form-data with the export in a field named 'file'.");

        IFormFile? file;
        string format;
        try
        {
            var form = await request.ReadFormAsync(ct);
            file = form.Files.GetFile("file");
            format = form["format"].ToString().Trim();
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return TooLarge(max);
        }
        if (file is null)
            return TypedResults.Problem(statusCode: 400, title: "Expected a file upload", detail: "The form has no field named 'file'.");
        if (file.Length > max)
            return TooLarge(max);
        if (!ImportFormats.IsKnown(format))
            return TypedResults.Problem(statusCode: 400, title: "Unknown format",
                detail: $"format: '{format}' is not a format Hatch reads; set the format field to one of {string.Join(", ", ImportFormats.Choices)}.",
                extensions: new Dictionary<string, object?> { ["field"] = "format" });

        var content = await ReadTextAsync(file, ct);
        try
        {
            return TypedResults.Ok(await intake.ImportAsync(user.UserId(), content, file.FileName, ImportFormats.OrAuto(format), ct));
        }
        catch (ImportException ex)
        {
            return Unreadable(ex);
        }
    }

    internal static async Task<string> ReadTextAsync(IFormFile file, CancellationToken ct)
    {
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(ct);
    }

    internal static ProblemHttpResult TooLarge(long max) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The file is too large",
        detail: $"file: uploads are limited to {max / (1024 * 1024.0):0.#} MB ({max:N0} bytes). Split the export or raise Hatch:Web:MaxUploadBytes.",
        extensions: new Dictionary<string, object?> { ["field"] = "file", ["limit"] = "Hatch:Web:MaxUploadBytes", ["maxBytes"] = max });

    private static ProblemHttpResult Unreadable(ImportException ex) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: ex.Limit is null ? "The file could not be imported" : "The file is over an import limit",
        detail: ImportFormats.ApiMessage(ex),
        extensions: new Dictionary<string, object?>
        {
            ["rejected"] = ex.Issues.Select(i => new ImportRejection(i.Line, i.Message)).ToArray(),
            ["limit"] = ex.Limit is null ? null : $"{HatchLimits.SectionName}:{ex.Limit}",
        });
}

/// <summary>What <c>POST /api/highlights/import</c> takes, for the OpenAPI document (the handler reads the form itself).</summary>
public sealed record ImportUpload(
    [property: System.ComponentModel.Description("The export file.")] IFormFile File,
    [property: System.ComponentModel.Description("Optional: auto (the default: told from the content), kindle, readwise, glasp, hypothesis, json or markdown, the names `hatch import --format` takes.")]
    string? Format);

/// <summary>
/// The format choice of an upload (the API's <c>format</c> field, the import page's Format list), with the same names
/// as `hatch import --format`, and an import error worded for where it is shown.
/// </summary>
public static class ImportFormats
{
    /// <summary>"auto" first, then every format Hatch reads.</summary>
    public static IReadOnlyList<string> Choices { get; } = [HighlightImporters.AutoFormat, .. HighlightImporters.Default.Formats];

    /// <summary>Empty means auto.</summary>
    public static bool IsKnown(string? format) =>
        string.IsNullOrWhiteSpace(format) || Choices.Contains(format.Trim(), StringComparer.OrdinalIgnoreCase);

    public static string OrAuto(string? format) => string.IsNullOrWhiteSpace(format) ? HighlightImporters.AutoFormat : format.Trim().ToLowerInvariant();

    /// <summary>How the import page names each choice in its Format list.</summary>
    public static string Label(string format) => format switch
    {
        "auto" => "Tell from the file",
        "kindle" => "Kindle My Clippings.txt",
        "readwise" => "Readwise CSV",
        "glasp" => "Glasp",
        "hypothesis" => "Hypothesis JSON",
        "json" => "Hatch JSON",
        "markdown" => "Markdown",
        _ => format,
    };

    /// <summary>For an API caller, who sets the multipart field.</summary>
    public static string ApiMessage(ImportException exception) => exception.ChooseFormat switch
    {
        ["markdown"] => $"{exception.Message}. To read its quotes and bullets as highlights anyway, set the format field to markdown.",
        { Count: > 0 } formats => $"{exception.Message}; set the format field to one of {string.Join(", ", formats)}.",
        _ => exception.Message,
    };

    /// <summary>For a reader on the import page, who picks from its Format list.</summary>
    public static string PageMessage(ImportException exception) => exception.ChooseFormat switch
    {
        ["markdown"] => $"{exception.Message}. To read its quotes and bullets as highlights anyway, choose Markdown in the Format list.",
        { Count: > 0 } => $"{exception.Message}; choose a format in the Format list.",
        _ => exception.Message,
    };
}
