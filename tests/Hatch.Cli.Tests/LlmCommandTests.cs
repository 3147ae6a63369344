using Hatch.Cli.Hosting;
using Hatch.TestSupport;

namespace Hatch.Cli.Tests;

public sealed class LlmCommandTests
{
    [Fact]
    public async Task CheckReportsWhatTheProviderSaidWithoutTheKey()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Enqueue(FakeReply.Text("ready"));
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CliApp.RunAsync(
            ["llm", "check", "--provider", "OpenAICompatible", "--model", "local-model", "--endpoint", server.OpenAIEndpoint.ToString()],
            stdout, stderr);

        Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        var text = stdout.ToString();
        Assert.Contains("provider:  OpenAICompatible", text);
        Assert.Contains("model:     local-model", text);
        Assert.Contains($"endpoint:  {server.OpenAIEndpoint}", text);
        Assert.Contains("said:      ready", text);
        Assert.Equal("local-model", Assert.Single(server.Requests).Model);
    }

    [Fact]
    public async Task CheckReportsTheProvidersRefusalAndFails()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Enqueue(FakeReply.Error(404, "The model `nope` does not exist", "model_not_found"));
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CliApp.RunAsync(
            ["llm", "check", "--provider", "OpenAICompatible", "--model", "nope", "--endpoint", server.OpenAIEndpoint.ToString()],
            stdout, stderr);

        Assert.Equal(ExitCodes.ModelFailed, exit);
        Assert.Contains("error:", stdout.ToString());
        Assert.Contains("does not exist", stdout.ToString());
    }

    [Fact]
    public async Task AMissingSettingStopsWithItsName()
    {
        // xunit 2 cannot skip at run time; a silent return would report a pass that proved nothing.
        Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Hatch__Llm__Endpoint")),
            "This test proves that a missing Hatch:Llm:Endpoint is named; unset Hatch__Llm__Endpoint to run it.");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CliApp.RunAsync(["llm", "check", "--provider", "OpenAICompatible", "--model", "m"], stdout, stderr);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Hatch:Llm:Endpoint is required when Hatch:Llm:Provider is OpenAICompatible", stderr.ToString());
    }

    [Fact]
    public async Task ArticleWithAModelGroupsTheFilesHighlightsByMeaningInThePrompt()
    {
        // No library, so no stored vectors: the writer embeds the file's highlights (MiniLM, the default) itself.
        // Each topic is spread over three books, so a theme by meaning names three sources; grouping by book, one.
        var file = Path.Combine(Directory.CreateTempSubdirectory("hatch-cli-themes-").FullName, "notes.md");
        await File.WriteAllTextAsync(file, """
            ## Why We Sleep

            > Deep sleep at night consolidates the memories formed during the day.

            > Saving a steady share of every paycheck builds wealth over the years.

            ## The Psychology of Money

            > Compound interest rewards the investor who leaves savings untouched for decades.

            > A short nap after studying helps the brain store new facts.

            ## Notes from Both

            > A tired brain that skipped a night of sleep forgets much of what it learned.

            > Low-cost index funds beat most active stock pickers once fees are counted.
            """);
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Enqueue(FakeReply.Text(ArticleJson.ValidJson(1, 2, 3)));
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CliApp.RunAsync(
            ["article", file, "--provider", "OpenAICompatible", "--model", "local-model", "--endpoint", server.OpenAIEndpoint.ToString(), "--pipeline", "Single"],
            stdout, stderr);

        Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        var user = Assert.Single(server.Requests).Json!["messages"]!.AsArray()
            .Single(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.ToString();
        Assert.Contains("Use them as a starting point, not an outline", user);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(user, @"- Theme \d: highlights \d, \d, \d \(3 sources\)").Count);
    }

    [Fact]
    public async Task ArticleRefusesAWrongProviderBeforeReadingFiles()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(["article", "x.txt", "--provider", "Gemini"], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Gemini", stderr.ToString());
    }
}

/// <summary>`hatch` as an operator runs it in Development, with the model's key kept in user-secrets rather than a file or the environment.</summary>
public sealed class UserSecretsTests
{
    [Fact]
    public async Task InDevelopmentTheCommandReadsTheModelKeyFromUserSecrets()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Enqueue(FakeReply.Text("ready"));
        var home = Directory.CreateTempSubdirectory("hatch-secrets-").FullName;
        try
        {
            // Where `dotnet user-secrets set` keeps them for the id in Hatch.Cli.csproj (and Hatch.Web.csproj).
            var folder = Path.Combine(home, ".microsoft", "usersecrets", "hatch-7d3f5c2e-secrets");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "secrets.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["Hatch:Llm:Provider"] = "OpenAICompatible",
                ["Hatch:Llm:Model"] = "secret-model",
                ["Hatch:Llm:Endpoint"] = server.OpenAIEndpoint.ToString(),
                ["Hatch:Llm:ApiKey"] = "sk-from-user-secrets",
            }));
            var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "hatch.dll"), "llm", "check"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Hatch__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("APPDATA", StringComparison.OrdinalIgnoreCase)).ToArray())
                start.Environment.Remove(key);
            start.Environment["HOME"] = home;
            start.Environment["DOTNET_ENVIRONMENT"] = "Development";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == ExitCodes.Ok, output + error);
            Assert.Contains("model:     secret-model", output);
            Assert.Equal("Bearer sk-from-user-secrets", Assert.Single(server.Requests).Header("Authorization"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
