using System.CommandLine;
using Hatch.Cli.Hosting;
using Hatch.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hatch.Cli.Commands;

/// <summary>`hatch llm check`: one tiny request to the configured provider, and what it said.</summary>
public static class LlmCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var provider = ProviderOptions.Create();
        var check = new Command("check", "Send one tiny request to the configured language model and report what it said.");
        provider.AddTo(check);
        check.SetAction(async (parse, cancellationToken) =>
        {
            var host = await CliHost.BuildOrReportAsync(stderr, provider.Overrides(parse));
            if (host is null) return ExitCodes.BadInput;
            using (host)
            {
                var options = host.Services.GetRequiredService<IOptions<LlmOptions>>().Value;
                if (options.Provider == LlmProvider.Extractive)
                {
                    await stderr.WriteLineAsync($"hatch: {LlmOptions.SectionName}:Provider is Extractive, so there is no model to check; set it (or --provider) to OpenAI, AzureOpenAI or OpenAICompatible.");
                    return ExitCodes.BadInput;
                }
                var result = await host.Services.GetRequiredService<LlmCheck>().RunAsync(cancellationToken);
                await stdout.WriteLineAsync($"provider:  {result.Provider}");
                await stdout.WriteLineAsync($"model:     {result.Model}");
                await stdout.WriteLineAsync($"endpoint:  {result.Endpoint}");
                await stdout.WriteLineAsync($"latency:   {result.LatencyMs} ms ({result.Attempts} attempt(s))");
                await stdout.WriteLineAsync(result.Ok ? $"said:      {result.Said}" : $"error:     {result.Said}");
                return result.Ok ? ExitCodes.Ok : ExitCodes.ModelFailed;
            }
        });
        return new Command("llm", "Work with the configured language model.") { check };
    }
}

/// <summary>
/// --provider, --model, --endpoint and --pipeline, shared by the commands that use a model. They override Hatch:Llm settings
/// for this run; the API key is deliberately not an option (it would land in shell history): use Hatch__Llm__ApiKey.
/// </summary>
public sealed class ProviderOptions
{
    private Option<string?> Provider { get; } = new("--provider")
    {
        Description = "Extractive (offline), OpenAI, AzureOpenAI or OpenAICompatible; overrides Hatch:Llm:Provider. The key comes from Hatch__Llm__ApiKey.",
    };

    private Option<string?> Model { get; } = new("--model") { Description = "Model id (or Azure deployment); overrides Hatch:Llm:Model (Hatch:Llm:Deployment for Azure)." };

    private Option<string?> Endpoint { get; } = new("--endpoint") { Description = "Base URL; overrides Hatch:Llm:Endpoint (e.g. http://localhost:11434/v1)." };

    private Option<string?> Pipeline { get; } = new("--pipeline")
    {
        Description = "Single (one call) or Planned (plan, write, check, repair); overrides Hatch:Llm:Pipeline (Planned with a model by default).",
    };

    public static ProviderOptions Create()
    {
        var options = new ProviderOptions();
        options.Provider.AcceptOnlyFromAmong(Enum.GetNames<LlmProvider>());
        options.Pipeline.AcceptOnlyFromAmong(Enum.GetNames<DraftingPipeline>());
        return options;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Provider);
        command.Options.Add(Model);
        command.Options.Add(Endpoint);
        command.Options.Add(Pipeline);
    }

    public Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        var provider = parse.GetValue(Provider);
        if (provider is not null) overrides[$"{LlmOptions.SectionName}:Provider"] = provider;
        if (parse.GetValue(Model) is { } model)
        {
            overrides[$"{LlmOptions.SectionName}:Model"] = model;
            if (string.Equals(provider, nameof(LlmProvider.AzureOpenAI), StringComparison.OrdinalIgnoreCase))
                overrides[$"{LlmOptions.SectionName}:Deployment"] = model;
        }
        if (parse.GetValue(Endpoint) is { } endpoint) overrides[$"{LlmOptions.SectionName}:Endpoint"] = endpoint;
        if (parse.GetValue(Pipeline) is { } pipeline) overrides[$"{LlmOptions.SectionName}:Pipeline"] = pipeline;
        return overrides;
    }
}
