using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Hatch.Core.Llm;

/// <summary>
/// Counts tokens the way the configured model family does. Building the tokenizer loads its vocabulary
/// (a few hundred milliseconds), so there is one per process.
/// </summary>
public sealed class TokenCounter
{
    private readonly Tokenizer _tokenizer;

    public TokenCounter(IOptions<LlmOptions> options) : this(options.Value.Tokenizer)
    {
    }

    public TokenCounter(string encoding)
    {
        Encoding = encoding;
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
    }

    public string Encoding { get; }

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
}
