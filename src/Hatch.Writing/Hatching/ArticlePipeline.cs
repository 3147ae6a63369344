using Hatch.Domain.Articles;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Writing.Grounding;
using Hatch.Writing.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hatch.Writing.Hatching;

/// <summary>Everything a hatch needs besides the highlights.</summary>
public sealed record HatchOptions
{
    public ArticleOptions Article { get; init; } = new();
    public SelectionOptions Selection { get; init; } = new();

    /// <summary>Stored embeddings by content hash: selection ranks by centrality of meaning and the writer groups without re-embedding.</summary>
    public IReadOnlyDictionary<string, float[]>? VectorsByContentHash { get; init; }
}

/// <summary>
/// Selection → Writer → Validation → Grounding check, shared by the command line and the background jobs.
/// Nothing that fails validation leaves this class. The grounding check runs when the host registered one (it needs
/// an embedding model); its report rides in the provenance, and a check that cannot run leaves the draft unchecked
/// rather than failing it.
/// </summary>
public sealed partial class ArticlePipeline(
    IArticleWriter writer,
    HighlightSelector selector,
    TimeProvider time,
    GroundingChecker? grounding = null,
    ILogger<ArticlePipeline>? logger = null)
{
    public IArticleWriter Writer => writer;

    public async Task<DraftDocument> HatchAsync(
        IEnumerable<Highlight> highlights,
        HatchOptions options,
        Func<HatchStage, CancellationToken, Task>? onStage = null,
        CancellationToken cancellationToken = default)
    {
        onStage ??= static (_, _) => Task.CompletedTask;
        using var hatch = HatchTelemetry.Source.StartActivity("hatch");
        hatch?.SetTag("hatch.writer", writer.Name);
        var started = time.GetTimestamp();
        var outcome = "failed";
        try
        {
            await onStage(HatchStage.Selecting, cancellationToken);
            Selection selection;
            using (var select = HatchTelemetry.Source.StartActivity("hatch.select"))
            {
                selection = selector.Select(highlights, options.Selection, options.VectorsByContentHash);
                select?.SetTag("hatch.highlights.considered", selection.Considered);
                select?.SetTag("hatch.highlights.chosen", selection.Chosen.Count);
            }
            if (selection.Chosen.Count == 0)
                throw new NoHighlightsException(options.Selection);

            await onStage(HatchStage.Writing, cancellationToken);
            WrittenArticle written;
            var writeStarted = time.GetTimestamp();
            using (HatchTelemetry.Source.StartActivity("hatch.write"))
                written = await writer.WriteAsync(new ArticleRequest(selection.Chosen, options.Article) { VectorsByContentHash = options.VectorsByContentHash }, cancellationToken);
            var elapsed = time.GetElapsedTime(writeStarted);

            await onStage(HatchStage.Validating, cancellationToken);
            using (var validate = HatchTelemetry.Source.StartActivity("hatch.validate"))
            {
                var errors = ArticleValidator.Validate(written.Article, selection.Chosen, writer.RulesFor(selection.Chosen.Count));
                validate?.SetTag("hatch.validation.errors", errors.Count);
                if (errors.Count > 0)
                {
                    outcome = "invalid";
                    throw new ArticleValidationException(errors);
                }
            }

            var (renumbered, numbered) = CitationOrder.Renumber(written.Article, selection.Chosen);
            var article = renumbered with { ReadingMinutes = ReadingTime.Minutes(renumbered) };
            // A model writer records its steps; the pipeline adds the checks and the repair it asks for.
            var steps = written.Provenance.Steps?.ToList();
            var report = await GroundAsync(article, numbered, steps, cancellationToken);
            var repair = report is { Unsupported.Count: > 0 }
                ? await RepairAsync(article, numbered, report, options, written.Provenance, elapsed, steps, cancellationToken)
                : null;
            if (repair is { Article: { } repaired, Report: var recheck })
                (article, numbered, report) = (repaired, repair.Highlights, recheck);
            // A writer may leave out more than the selector did (a model's token budget); both are reported.
            var writerLeftOut = written.Provenance.Writer == writer.Name && written.Provenance.HighlightsConsidered > 0
                ? written.Provenance.HighlightsLeftOut
                : 0;
            // Used means cited: a highlight the writer read but did not quote is left out, and counted as such.
            var cited = article.AllCitations().Count;
            var notCited = Math.Max(0, selection.Chosen.Count - writerLeftOut - cited);
            var provenance = written.Provenance with
            {
                HighlightsConsidered = selection.Considered,
                HighlightsUsed = cited,
                HighlightsLeftOut = selection.LeftOut + writerLeftOut + notCited,
                LeftOutReason = JoinReasons(JoinReasons(selection.LeftOutReason, writerLeftOut > 0 ? written.Provenance.LeftOutReason : null),
                    notCited > 0 ? $"{notCited} of the {selection.Chosen.Count} highlights given to the writer are not cited (near-duplicates, passages that fit no section, or more than a section quotes)" : null),
                LatencyMs = (written.Provenance.LatencyMs > 0 ? written.Provenance.LatencyMs : (long)elapsed.TotalMilliseconds) + (repair?.Step.LatencyMs ?? 0),
                PromptTokens = written.Provenance.PromptTokens + (repair?.Step.PromptTokens ?? 0),
                CompletionTokens = written.Provenance.CompletionTokens + (repair?.Step.CompletionTokens ?? 0),
                Attempts = written.Provenance.Attempts + (repair?.Step.Attempts ?? 0),
                CreatedAt = time.GetUtcNow(),
                Grounding = report,
                Steps = steps ?? written.Provenance.Steps,
            };
            outcome = "succeeded";
            return new DraftDocument(article, numbered, provenance, options.Article.AuthorName, options.Article.Language);
        }
        finally
        {
            hatch?.SetTag("hatch.outcome", outcome);
            HatchTelemetry.RecordRequest(writer.Name, outcome, time.GetElapsedTime(started));
        }
    }

    /// <summary>What the repair step left: the re-checked article (null when the repair was not used) and the step itself.</summary>
    private sealed record Repaired(Article? Article, IReadOnlyList<NumberedHighlight> Highlights, GroundingReport? Report, PipelineStep Step);

    /// <summary>
    /// Asks the writer once to fix, re-cite or remove the unsupported sentences, then checks the result again. A
    /// repair that breaks the article's contract (a citation outside its sources, a section left empty) is dropped
    /// and the draft keeps its flags: what is unsupported is shown to the editor, never hidden.
    /// </summary>
    private async Task<Repaired?> RepairAsync(
        Article article, IReadOnlyList<NumberedHighlight> numbered, GroundingReport report, HatchOptions options,
        DraftProvenance written, TimeSpan writeElapsed, List<PipelineStep>? steps, CancellationToken cancellationToken)
    {
        var spent = written.LatencyMs > 0 ? TimeSpan.FromMilliseconds(written.LatencyMs) : writeElapsed;
        var result = await writer.RepairGroundingAsync(new GroundingRepairRequest(article, numbered, report.Unsupported, options.Article, spent), cancellationToken);
        if (result is null) return null;
        var step = result.Step;
        if (result.Article is not { } repaired)
        {
            steps?.Add(step);
            return new Repaired(null, numbered, report, step);
        }
        var errors = ArticleValidator.Validate(repaired, numbered, writer.RulesFor(numbered.Count));
        if (errors.Count > 0)
        {
            LogRepairDropped(logger ?? NullLogger<ArticlePipeline>.Instance, string.Join("; ", errors));
            step = step with { Note = JoinReasons(step.Note, "dropped, the repaired article was invalid: " + string.Join("; ", errors)) };
            steps?.Add(step);
            return new Repaired(null, numbered, report, step);
        }
        steps?.Add(step);
        // The repair may cite a highlight the article did not cite before: the Sources list still reads in citation order.
        var (renumbered, highlights) = CitationOrder.Renumber(repaired, numbered);
        renumbered = renumbered with { ReadingMinutes = ReadingTime.Minutes(renumbered) };
        var recheck = await GroundAsync(renumbered, highlights, steps, cancellationToken);
        return new Repaired(renumbered, highlights, recheck, step);
    }

    private async Task<GroundingReport?> GroundAsync(
        Article article, IReadOnlyList<NumberedHighlight> highlights, List<PipelineStep>? steps, CancellationToken cancellationToken)
    {
        if (grounding is not { CanCheck: true }) return null;
        using var activity = HatchTelemetry.Source.StartActivity("hatch.ground");
        var started = time.GetTimestamp();
        try
        {
            var report = await grounding.CheckAsync(article, highlights, cancellationToken);
            activity?.SetTag("hatch.grounding.checked", report.Checked);
            activity?.SetTag("hatch.grounding.unsupported", report.Unsupported.Count);
            steps?.Add(new PipelineStep("check", null, null, 0, 0, (long)time.GetElapsedTime(started).TotalMilliseconds, 0,
                $"{report.Unsupported.Count} of {report.Checked} sentences unsupported"));
            return report;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A remote embedding provider that fails should not cost the reader a valid draft; the draft says it is unchecked.
            LogGroundingFailed(logger ?? NullLogger<ArticlePipeline>.Instance, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The grounding repair was dropped because the repaired article was invalid: {Errors}")]
    private static partial void LogRepairDropped(ILogger logger, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The grounding check could not run; the draft is stored without it")]
    private static partial void LogGroundingFailed(ILogger logger, Exception exception);

    private static string? JoinReasons(string? first, string? second) =>
        first is null ? second : second is null ? first : first + "; " + second;
}

/// <summary>Raised when the filters leave nothing to write from.</summary>
public sealed class NoHighlightsException(SelectionOptions options)
    : Exception(Describe(options))
{
    private static string Describe(SelectionOptions options)
    {
        var filters = new List<string>();
        if (options.Tag is not null) filters.Add($"tag \"{options.Tag}\"");
        if (options.Since is not null) filters.Add($"highlighted since {options.Since:yyyy-MM-dd}");
        return filters.Count == 0
            ? "There are no highlights to hatch from."
            : $"No highlights match {string.Join(" and ", filters)}.";
    }
}

/// <summary>Reading time at a comfortable 230 words a minute, never less than one minute.</summary>
public static class ReadingTime
{
    public const int WordsPerMinute = 230;

    public static int Minutes(Article article)
    {
        var words = CountWords(article.Title) + CountWords(article.Overview) + CountWords(article.Conclusion)
            + article.Sections.Sum(s => CountWords(s.Heading) + CountWords(s.Body))
            + article.Advice.Sum(a => CountWords(a.Title) + CountWords(a.Detail));
        return Math.Max(1, (int)Math.Ceiling(words / (double)WordsPerMinute));
    }

    private static int CountWords(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
