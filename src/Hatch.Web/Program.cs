using Hatch.Data;
using Hatch.Embeddings;
using Hatch.Features;
using Hatch.Llm;
using Hatch.ServiceDefaults;
using Hatch.Web;
using Hatch.Web.Api;
using Hatch.Web.Infrastructure;
using Hatch.Web.OpenApi;
using Hatch.Web.Public;
using Hatch.Web.Review;
using Hatch.Writing;
// `--role worker`: run background jobs against the shared database without serving pages.
if (WorkerRole.IsRequested(args))
{
    return await WorkerRole.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddHatchConfiguration(args);
builder.AddHatchTelemetry("hatch-web").AddHatchWebTelemetry();
builder.AddHatchEmbeddings();
builder.AddHatchLlm();
builder.AddHatchWriting();
builder.AddHatchData();
builder.AddHatchFeatures();
builder.AddHatchDataProtection();
builder.AddHatchHangfire();
builder.AddHatchAccounts();
builder.AddHatchWeb();
builder.AddHatchApiReference();
builder.AddHatchProtection();

// A setting the app cannot start with ends it with one line naming the setting and exit code 2, not a stack trace.
WebApplication? app = null;
try
{
    app = builder.Build();
    await app.PrepareDatabaseAsync();

    app.UseHatchSecurityHeaders();
    app.UseHatchWeb();
    app.UseHatchProtection();
    app.MapHatchAuthApi();
    app.MapHighlightsApi();
    app.MapNotesApi();
    app.MapSemanticApi();
    app.MapHatchesApi();
    app.MapDraftsApi();
    app.MapDigestsApi();
    app.MapConnectionsApi();
    app.MapExportApi();
    app.MapReviewApi();
    app.MapPublicArticles();
    app.MapDigestFeed();
    app.MapHatchPages();
    app.MapHatchApiReference();
    app.MapHatchHangfire();

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.IsSettingError(ex) && StartupFailure.IsOwnProcess)
{
    var exit = StartupFailure.Report(ex, app?.Services);
    if (app is not null) await app.DisposeAsync(); // flushes the console logger before the process ends
    return exit;
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
