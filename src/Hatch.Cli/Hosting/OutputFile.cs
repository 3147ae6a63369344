namespace Hatch.Cli.Hosting;

/// <summary>Plain reasons for a file the command cannot write, named by the option that gave it.</summary>
public static class OutputFile
{
    /// <summary>What is wrong with writing <paramref name="path"/>, before trying; null when nothing is known to be.</summary>
    public static string? Problem(string path, string option = "--out")
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            return $"{option} {path}: that is a folder; give a file name (e.g. {Path.Combine(path, "article.md")}).";
        if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
            return $"{option} {path}: the folder {folder} does not exist.";
        return null;
    }

    /// <summary>The reason a write failed, without the exception's stack.</summary>
    public static string Describe(string path, Exception exception, string option = "--out") => exception switch
    {
        UnauthorizedAccessException => $"{option} {path}: permission denied.",
        DirectoryNotFoundException => Problem(path, option) ?? $"{option} {path}: the folder does not exist.",
        _ => $"{option} {path}: {exception.Message}",
    };
}
