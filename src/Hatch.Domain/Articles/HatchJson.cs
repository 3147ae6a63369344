using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hatch.Domain.Articles;

/// <summary>
/// How articles and provenance are stored and exchanged as JSON: the draft's columns, the revisions, the API and the
/// JSON download all use these options, so what one writes the others read.
/// </summary>
public static class HatchJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
