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

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("error:", stdout.ToString());
        Assert.Contains("does not exist", stdout.ToString());
    }

    [Fact]
    public async Task AMissingSettingStopsWithItsName()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Hatch__Llm__Endpoint")))
            return;
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CliApp.RunAsync(["llm", "check", "--provider", "OpenAICompatible", "--model", "m"], stdout, stderr);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Hatch:Llm:Endpoint is required when Hatch:Llm:Provider is OpenAICompatible", stderr.ToString());
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
