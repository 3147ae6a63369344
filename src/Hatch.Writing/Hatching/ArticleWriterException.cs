namespace Hatch.Writing.Hatching;

/// <summary>
/// A draft could not be written. <see cref="Reason"/> is the whole story, for the log and the operator;
/// <see cref="PlainReason"/> is what a person is shown, without what a provider said, its address or configuration
/// (the same as <see cref="Reason"/> unless the writer gave one); <see cref="IsTransient"/> tells a job whether trying
/// again later may help (rate limits, outages, deadlines) or not (bad key, unknown model, content filter, a model that
/// cannot produce a valid article).
/// </summary>
public sealed class ArticleWriterException(string reason, bool isTransient, Exception? inner = null, string? plainReason = null)
    : Exception(reason, inner)
{
    public string Reason { get; } = reason;
    public string PlainReason { get; } = plainReason ?? reason;
    public bool IsTransient { get; } = isTransient;
}
