using System.CommandLine;
using System.Globalization;
using Hatch.Cli.Hosting;
using Hatch.Domain.Articles;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Hatch.Writing.Extractive;
using Hatch.Writing.Hatching;
using Hatch.Writing.Importing;
using Hatch.Writing.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace Hatch.Cli.Commands;

/// <summary>`hatch article FILE...`: import export files and draft an article in process, with no database.</summary>
public static class ArticleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, CliProgress progress)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Highlight export files (Kindle My Clippings.txt in any language, Readwise CSV, Glasp JSON/CSV/Obsidian Markdown, Hypothesis JSON, Hatch JSON, Markdown).",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format")
        {
            Description = "The files' format; 'auto' tells it from each file's content.",
            DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong(["auto", .. HighlightImporters.Default.Formats]);
        var output = new Option<string>("--output", "-o")
        {
            Description = "What to print: the article as Markdown, a standalone HTML page, or JSON with its sources and provenance.",
            DefaultValueFactory = _ => "markdown",
        };
        output.AcceptOnlyFromAmong("markdown", "html", "json");
        var outPath = new Option<string?>("--out") { Description = "Write the article to this file instead of standard output." };
        var author = new Option<string?>("--author") { Description = "Your name, shown as 'Hatched by NAME'." };
        var tag = new Option<string?>("--tag") { Description = "Use only highlights carrying this tag." };
        var since = new Option<string?>("--since") { Description = "Use only highlights made on or after this date (e.g. 2024-05-01)." };
        var maxHighlights = new Option<int>("--max-highlights")
        {
            Description = "The most highlights given to the writer; the most central are kept and the rest counted as left out.",
            DefaultValueFactory = _ => SelectionOptions.DefaultMaxHighlights,
        };
        maxHighlights.Validators.Add(result =>
        {
            // Reading the value of a token that is not a number throws; the parser reports that one itself.
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 1)
                result.AddError("--max-highlights must be at least 1.");
        });
        var style = new Option<string>("--style") { Description = "Style preset.", DefaultValueFactory = _ => "essay" };
        style.AcceptOnlyFromAmong([.. ArticleOptions.Styles]);
        var length = new Option<string>("--length") { Description = "Target length.", DefaultValueFactory = _ => "medium" };
        length.AcceptOnlyFromAmong([.. ArticleOptions.Lengths]);
        var language = new Option<string>("--language") { Description = "The article's language (used by language-model writers).", DefaultValueFactory = _ => "en" };
        language.Validators.Add(result =>
        {
            // The language reaches a model's system prompt: only a tag .NET knows gets there.
            if (result.Tokens is [{ } token] && ArticleLanguage.Normalize(token.Value) is null)
                result.AddError($"--language: '{token.Value}' is not a language tag or name Hatch knows (such as en, fr, pt-BR or French).");
        });
        var strict = new Option<bool>("--strict") { Description = "Fail on the first file with any bad record instead of skipping bad records." };

        var command = new Command("article", "Draft an article from highlight export files and print it: offline by default, or with the configured language model.")
        {
            files, format, output, outPath, author, tag, since, maxHighlights, style, length, language, strict,
        };
        var provider = ProviderOptions.Create();
        provider.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? sinceDate = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    return await Fail(stderr, $"--since: '{sinceText}' is not a date (use e.g. 2024-05-01).");
                sinceDate = parsed;
            }

            using var host = await CliHost.BuildOrReportAsync(stderr, provider.Overrides(parse));
            if (host is null) return ExitCodes.BadInput;
            var importers = host.Services.GetRequiredService<HighlightImporters>();
            var highlights = new List<Highlight>();
            foreach (var file in parse.GetValue(files) ?? [])
            {
                if (!File.Exists(file))
                    return await Fail(stderr, file.StartsWith('-') ? $"{file}: unknown option." : $"{file}: no such file.");
                ImportResult result;
                try
                {
                    result = await progress.RunAsync(parse, steps => ProgressReading.ImportFileAsync(
                        importers, file, parse.GetValue(format)!, parse.GetValue(strict), steps, cancellationToken));
                }
                catch (ImportException ex)
                {
                    await stderr.WriteLineAsync($"hatch: {ImportMessages.Describe(ex)}");
                    foreach (var issue in ex.Issues)
                        await stderr.WriteLineAsync($"  {issue}");
                    return ExitCodes.BadInput;
                }
                foreach (var issue in result.NotImported)
                    await stderr.WriteLineAsync($"hatch: skipped {issue}");
                foreach (var issue in result.Warnings)
                    await stderr.WriteLineAsync($"hatch: warning: {issue}");
                highlights.AddRange(result.Highlights);
            }

            var options = new HatchOptions
            {
                Article = new ArticleOptions
                {
                    AuthorName = parse.GetValue(author),
                    Style = parse.GetValue(style)!,
                    Length = parse.GetValue(length)!,
                    Language = ArticleLanguage.ForPrompt(parse.GetValue(language)),
                },
                Selection = new SelectionOptions
                {
                    MaxHighlights = parse.GetValue(maxHighlights),
                    Tag = parse.GetValue(tag),
                    Since = sinceDate,
                },
            };
            var pipeline = host.Services.GetRequiredService<ArticlePipeline>();
            DraftDocument draft;
            try
            {
                draft = await progress.RunAsync(parse, async steps =>
                {
                    var drafting = steps.Add($"Drafting from {highlights.Count:N0} highlights", new ProgressUnit("steps"), StageNames.Count);
                    var description = $"Drafting from {highlights.Count:N0} highlights";
                    var drafted = await pipeline.HatchAsync(highlights, options, onStage: (stage, _) =>
                    {
                        // Each stage starts when the one before it is done.
                        if (stage != HatchStage.Selecting) drafting.Advance(1);
                        drafting.Describe($"{description}: {StageNames.GetValueOrDefault(stage, stage.ToString())}");
                        return Task.CompletedTask;
                    }, cancellationToken: cancellationToken);
                    drafting.Complete();
                    return drafted;
                });
            }
            catch (NoHighlightsException ex)
            {
                return await Fail(stderr, ex.Message);
            }
            catch (ArticleValidationException ex)
            {
                await stderr.WriteLineAsync($"hatch: {ex.Message}");
                return ExitCodes.ModelFailed;
            }
            catch (ArticleWriterException ex)
            {
                await stderr.WriteLineAsync($"hatch: {ex.Reason}{(ex.IsTransient ? " (this may work if you try again later)" : "")}");
                return ExitCodes.ModelFailed;
            }

            // The article says it too (once, in its conclusion); stderr tells whoever scripted the call.
            if (pipeline.Writer is ExtractiveArticleWriter
                && ExtractiveArticleWriter.LanguageNotice(options.Article.Language, draft.Highlights.Select(h => h.Highlight.Text)) is { } notice)
                await stderr.WriteLineAsync($"hatch: {notice}");

            var text = DraftRenderer.Render(draft, Enum.Parse<DraftFormat>(parse.GetValue(output)!, ignoreCase: true));
            if (parse.GetValue(outPath) is { } path)
            {
                if (OutputFile.Problem(path) is { } problem) return await Fail(stderr, problem);
                try
                {
                    await File.WriteAllTextAsync(path, text, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return await Fail(stderr, OutputFile.Describe(path, ex));
                }
                await stderr.WriteLineAsync($"hatch: wrote {path}");
            }
            else
            {
                await stdout.WriteAsync(text);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What the drafting bar says during each stage of the pipeline.</summary>
    private static readonly Dictionary<HatchStage, string> StageNames = new()
    {
        [HatchStage.Selecting] = "selecting the most central",
        [HatchStage.Writing] = "writing",
        [HatchStage.Validating] = "checking every citation",
    };

    private static async Task<int> Fail(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"hatch: {message}");
        return ExitCodes.BadInput;
    }
}
