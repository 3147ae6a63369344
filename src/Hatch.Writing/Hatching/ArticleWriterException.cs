namespace Hatch.Writing.Hatching;

/// <summary>
/// A draft could not be written. <see cref="Reason"/> is meant for a person (shown as the request's error);
/// <see cref="IsTransient"/> tells a job whether trying again later may help (rate limits, outages, deadlines)
/// or not (bad key, unknown model, content filter, a model that cannot produce a valid article).
/// </summary>
public sealed class ArticleWriterException(string reason, bool isTransient, Exception? inner = null)
    : Exception(reason, inner)
{
    public string Reason { get; } = reason;
    public bool IsTransient { get; } = isTransient;
}
