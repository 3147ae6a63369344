using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Hatch.Llm;

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

    /// <summary>Bounds the memo of counts; cleared wholesale when full (a cold miss only costs a count).</summary>
    private const int MemoLimit = 100_000;

    private readonly ConcurrentDictionary<string, int> _memo = new(StringComparer.Ordinal);

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);

    /// <summary>
    /// The count, remembered per text: a reader's highlights come back hatch after hatch, and counting is the
    /// main cost of fitting them into the context (~1 µs a token).
    /// </summary>
    public int CountMemoized(string text)
    {
        if (_memo.TryGetValue(text, out var count)) return count;
        count = Count(text);
        if (_memo.Count >= MemoLimit) _memo.Clear();
        _memo.TryAdd(text, count);
        return count;
    }
}
