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
    await WorkerRole.RunAsync(args);
    return;
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

var app = builder.Build();

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

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
