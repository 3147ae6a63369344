using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Hatch.Llm;

/// <summary>One prompt function from prompts/Hatch, with the identity recorded in a draft's provenance.</summary>
public sealed record PromptTemplate(string Name, KernelFunction Function, PromptTemplateConfig Config, string Text, string Hash)
{
    /// <summary>The function's default output budget from its config.json (max_tokens), if any.</summary>
    public int? DefaultMaxTokens =>
        Function.ExecutionSettings is { } settings && settings.TryGetValue(PromptExecutionSettings.DefaultServiceId, out var s)
            && s.ExtensionData is { } data && data.TryGetValue("max_tokens", out var value)
            && int.TryParse(value?.ToString(), out var max)
            ? max
            : null;
}

/// <summary>
/// The prompt files, loaded once per process: parsing the directory on every draft would re-read the disk and,
/// worse, let a file edited mid-run give two drafts of one batch different prompts under the same hash.
/// </summary>
public sealed class PromptLibrary
{
    public const string PluginName = "Hatch";
    public const string Article = "Article";
    public const string Digest = "Digest";
    public const string ReviseSection = "ReviseSection";
    public const string Plan = "Plan";
    public const string Repair = "Repair";

    private readonly Dictionary<string, PromptTemplate> _templates;

    public PromptLibrary(IOptions<PromptOptions> options)
        : this(ResolveRoot(options.Value.Path))
    {
    }

    public PromptLibrary(string promptsRoot)
    {
        Root = promptsRoot;
        var pluginDirectory = Path.Combine(promptsRoot, PluginName);
        if (!Directory.Exists(pluginDirectory))
            throw new DirectoryNotFoundException(
                $"The prompt folder {pluginDirectory} does not exist; set {PromptOptions.SectionName}:Path to the folder that holds {PluginName}/Article/skprompt.txt.");

        // CreatePluginFromPromptDirectory takes the plugin folder; each function is a subfolder.
        // Loading needs no services, so a bare Kernel does; the functions run later on the DI kernel.
        var plugin = new Kernel().CreatePluginFromPromptDirectory(pluginDirectory, PluginName);
        _templates = new Dictionary<string, PromptTemplate>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in plugin)
        {
            var folder = Path.Combine(pluginDirectory, function.Name);
            var text = File.ReadAllText(Path.Combine(folder, "skprompt.txt"));
            var configJson = File.ReadAllText(Path.Combine(folder, "config.json"));
            var config = PromptTemplateConfig.FromJson(configJson);
            config.Template = text;
            config.Name = function.Name;
            // The hash covers both files: a changed temperature or token limit is a different prompt too.
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text + "\n\0\n" + configJson)));
            _templates[function.Name] = new PromptTemplate($"{PluginName}/{function.Name}", function, config, text, hash);
        }
        foreach (var required in new[] { Article, Digest, ReviseSection, Plan, Repair })
        {
            if (!_templates.ContainsKey(required))
                throw new FileNotFoundException($"The prompt {PluginName}/{required} is missing from {pluginDirectory}.");
        }
    }

    public string Root { get; }

    public IReadOnlyCollection<PromptTemplate> All => _templates.Values;

    public PromptTemplate this[string name] => _templates[name];

    /// <summary>The configured path, else the copy beside the binary, else the nearest prompts/ folder above the working directory.</summary>
    public static string ResolveRoot(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured);
        var beside = Path.Combine(AppContext.BaseDirectory, "prompts");
        if (Directory.Exists(Path.Combine(beside, PluginName)))
            return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "prompts");
            if (Directory.Exists(Path.Combine(candidate, PluginName)))
                return candidate;
        }
        return beside;
    }
}
