// A .NET startup hook (DOTNET_STARTUP_HOOKS names this test assembly): when the process started with it exits, it
// writes the names of the assemblies it loaded to the file HATCH_LOADED_ASSEMBLIES names. It must stay in the global
// namespace, be called StartupHook and use nothing beyond the base class library.
internal static class StartupHook
{
    public static void Initialize()
    {
        var file = Environment.GetEnvironmentVariable("HATCH_LOADED_ASSEMBLIES");
        if (string.IsNullOrEmpty(file)) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            File.WriteAllLines(file, AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").Order());
    }
}
