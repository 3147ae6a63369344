using System.Reflection;
using System.Text.Json;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using Assembly = System.Reflection.Assembly;

namespace Hatch.Architecture.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, held by the built assemblies: what each project may reference, that
/// only the web host carries ASP.NET Core, and that no two namespaces of ours use each other.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Domain = typeof(Hatch.Domain.Articles.Article).Assembly;
    private static readonly Assembly Writing = typeof(Hatch.Writing.Hatching.ArticlePipeline).Assembly;
    private static readonly Assembly Embeddings = typeof(Hatch.Embeddings.MiniLmEmbeddingGenerator).Assembly;
    private static readonly Assembly Llm = typeof(Hatch.Llm.KernelArticleWriter).Assembly;
    private static readonly Assembly Data = typeof(Hatch.Data.HatchDbContext).Assembly;
    private static readonly Assembly Features = typeof(Hatch.Features.FeatureExtensions).Assembly;
    private static readonly Assembly ServiceDefaults = typeof(Hatch.ServiceDefaults.JobStorageSetup).Assembly;
    private static readonly Assembly Cli = typeof(Hatch.Cli.CliApp).Assembly;
    private static readonly Assembly Web = typeof(Hatch.Web.HatchWebExtensions).Assembly;

    private static readonly Assembly[] Ours = [Domain, Writing, Embeddings, Llm, Data, Features, ServiceDefaults, Cli, Web];

    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(Ours).Build();

    /// <summary>
    /// Which of our projects each may reference directly: hosts → features → Llm/Embeddings/Data → Writing → Domain.
    /// A reference that points back up (or sideways where not listed) fails, so the project graph has no cycle.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedReferences = new Dictionary<string, string[]>
    {
        ["Hatch.Domain"] = [],
        ["Hatch.Writing"] = ["Hatch.Domain"],
        ["Hatch.Embeddings"] = ["Hatch.Domain", "Hatch.Writing"],
        ["Hatch.Llm"] = ["Hatch.Domain", "Hatch.Writing", "Hatch.Embeddings"],
        ["Hatch.Data"] = ["Hatch.Domain", "Hatch.Writing"],
        ["Hatch.Features"] = ["Hatch.Domain", "Hatch.Writing", "Hatch.Embeddings", "Hatch.Data"],
        ["Hatch.ServiceDefaults"] = ["Hatch.Domain", "Hatch.Writing", "Hatch.Data"],
        ["hatch"] = ["Hatch.Domain", "Hatch.Writing", "Hatch.Embeddings", "Hatch.Llm", "Hatch.Data", "Hatch.ServiceDefaults"],
        ["Hatch.Web"] = ["Hatch.Domain", "Hatch.Writing", "Hatch.Embeddings", "Hatch.Llm", "Hatch.Data", "Hatch.Features", "Hatch.ServiceDefaults"],
    };

    /// <summary>Namespaces of what Writing must never touch: databases, job systems, models, the web, native runtimes.</summary>
    public const string ImpureNamespaces =
        @"^(Microsoft\.EntityFrameworkCore|Microsoft\.Data\.Sqlite|Npgsql|Hangfire|Microsoft\.SemanticKernel|OpenAI|Azure|" +
        @"Microsoft\.AspNetCore|Microsoft\.ML\.OnnxRuntime|SentenceTransformers|System\.Net\.Http)(\.|$)";

    /// <summary>Assemblies of those packages (the BCL's own HTTP client is fine to carry, just not to use).</summary>
    public const string ImpurePackages =
        @"^(Microsoft\.EntityFrameworkCore|Microsoft\.Data\.Sqlite|Npgsql|Hangfire|Microsoft\.SemanticKernel|OpenAI|Azure|" +
        @"Microsoft\.AspNetCore|Microsoft\.ML\.OnnxRuntime|SentenceTransformers)(\.|$)";

    private static readonly HashSet<string> IdentityStores =
    [
        "Microsoft.AspNetCore.Identity.EntityFrameworkCore",
        "Microsoft.AspNetCore.Cryptography.Internal",
        "Microsoft.AspNetCore.Cryptography.KeyDerivation",
    ];

    [Fact]
    public void TheDomainReferencesNothingButTheBaseClassLibrary()
    {
        var foreign = Domain.GetReferencedAssemblies().Where(a => !IsBaseClassLibrary(a)).Select(a => a.Name).ToArray();
        Assert.True(foreign.Length == 0, $"Hatch.Domain references {string.Join(", ", foreign)}; it may reference only the base class library.");

        Types().That().ResideInAssembly(Domain)
            .Should().OnlyDependOnTypesThat().ResideInNamespaceMatching(@"^(System|Hatch\.Domain)(\.|$)")
            .Because("the domain holds the model and its rules, and nothing else")
            .Check(Architecture);
    }

    [Fact]
    public void WritingTouchesNoDatabaseJobSystemModelWebOrNativeRuntime()
    {
        Types().That().ResideInAssembly(Writing)
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceMatching(ImpureNamespaces)
            .Because("importers, text algorithms, themes, the extractive writer and rendering are pure computation")
            .Check(Architecture);

        var impure = Closure(Writing).Where(a => System.Text.RegularExpressions.Regex.IsMatch(a.Name ?? "", ImpurePackages)).Select(a => a.Name).ToArray();
        Assert.True(impure.Length == 0, $"Hatch.Writing carries {string.Join(", ", impure)} (directly or through a package).");
    }

    [Fact]
    public void OnlyTheWebHostUsesAspNetCore()
    {
        // The ASP.NET Core shared framework also ships Microsoft.Extensions.* (hosting, options, logging), which are
        // ordinary packages everywhere else; ASP.NET Core itself is what is named Microsoft.AspNetCore.*.
        // Identity's stores (EF and password hashing) come as NuGet packages of the same names and belong to Hatch.Data.
        var shared = SharedFrameworkAssemblies("Microsoft.AspNetCore.App")
            .Where(n => n.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) && !IdentityStores.Contains(n)).ToHashSet();
        foreach (var assembly in Ours.Where(a => a != Web))
        {
            var web = Closure(assembly).Where(a => shared.Contains(a.Name!)).Select(a => a.Name).ToArray();
            Assert.True(web.Length == 0, $"{assembly.GetName().Name} uses ASP.NET Core ({string.Join(", ", web)}); only Hatch.Web may.");
        }

        Types().That().ResideInAssembly(Domain, Writing, Embeddings, Llm, Features, Cli)
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceMatching(@"^Microsoft\.AspNetCore\.(Http|Mvc|Builder|Routing|Hosting|Authentication|Authorization)(\.|$)")
            .Check(Architecture);
    }

    [Fact]
    public void TheCommandLineRunsOnTheBaseRuntimeAlone()
    {
        // `hatch` must run where only the .NET runtime is installed: its runtimeconfig names no ASP.NET Core framework.
        var config = Path.Combine(Path.GetDirectoryName(Cli.Location)!, "hatch.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(config));
        var options = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var list)
            ? list.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToArray()
            : [options.GetProperty("framework").GetProperty("name").GetString()];
        Assert.Equal(new[] { "Microsoft.NETCore.App" }, frameworks.Select(f => f ?? "").ToArray());
    }

    [Fact]
    public void ProjectsReferenceEachOtherOneWay()
    {
        foreach (var assembly in Ours)
        {
            var name = assembly.GetName().Name!;
            var ours = assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(IsOurs).ToArray();
            var forbidden = ours.Except(AllowedReferences[name]).ToArray();
            Assert.True(forbidden.Length == 0, $"{name} references {string.Join(", ", forbidden)}, against docs/architecture.md.");
        }
    }

    [Fact]
    public void NoTwoNamespacesUseEachOther()
    {
        var cycles = NamespaceCycles.Find(Architecture);
        Assert.True(cycles.Count == 0, "Namespaces that use each other:\n" + string.Join("\n", cycles));
    }

    private static bool IsOurs(string name) => name.StartsWith("Hatch.", StringComparison.Ordinal) || name == "hatch";

    private static bool IsBaseClassLibrary(AssemblyName name) =>
        SharedFrameworkAssemblies("Microsoft.NETCore.App").Contains(name.Name!);

    /// <summary>The assembly names one shared framework ships (Microsoft.NETCore.App is the base class library).</summary>
    private static HashSet<string> SharedFrameworkAssemblies(string framework)
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var version = Path.GetFileName(runtimeDirectory);
        var sharedRoot = Path.GetDirectoryName(Path.GetDirectoryName(runtimeDirectory))!;
        var frameworkDirectory = Directory.GetDirectories(Path.Combine(sharedRoot, framework))
            .OrderByDescending(d => Path.GetFileName(d) == version).ThenByDescending(d => d).First();
        return Directory.GetFiles(frameworkDirectory, "*.dll").Select(Path.GetFileNameWithoutExtension).ToHashSet()!;
    }

    /// <summary>Every assembly <paramref name="root"/> references, directly or through the others, that can be loaded here.</summary>
    private static IReadOnlyList<AssemblyName> Closure(Assembly root)
    {
        var seen = new Dictionary<string, AssemblyName>();
        var queue = new Queue<Assembly>([root]);
        while (queue.Count > 0)
        {
            foreach (var reference in queue.Dequeue().GetReferencedAssemblies())
            {
                if (!seen.TryAdd(reference.Name!, reference)) continue;
                try { queue.Enqueue(Assembly.Load(reference)); }
                catch (FileNotFoundException) { }
            }
        }
        return seen.Values.ToArray();
    }
}
