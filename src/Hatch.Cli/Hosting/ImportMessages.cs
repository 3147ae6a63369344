using Hatch.Writing.Importing;

namespace Hatch.Cli.Hosting;

/// <summary>An import error as the command line says it: where the file can be read by choosing its format, how.</summary>
public static class ImportMessages
{
    public static string Describe(ImportException exception) => exception.ChooseFormat switch
    {
        ["markdown"] => $"{exception.Message}. To read its quotes and bullets as highlights anyway, use --format markdown.",
        { Count: > 0 } formats => $"{exception.Message}; use --format {string.Join('|', formats)}",
        _ => exception.Message,
    };
}
