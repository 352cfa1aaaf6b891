namespace Crm.Web.Hosting;

/// <summary>What the offline commands (<c>tenant</c>, <c>analytics</c>) read from their arguments.</summary>
public static class CommandLine
{
    /// <summary>The value after <paramref name="name"/>, if any.</summary>
    public static string? Option(this string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>Every value given after <paramref name="name"/>, for an option that may be given more than once.</summary>
    public static IReadOnlyList<string> Options(this string[] args, string name) =>
        [.. args.Select((arg, i) => (arg, i)).Where(a => a.arg == name && a.i + 1 < args.Length).Select(a => args[a.i + 1])];

    /// <summary>
    /// A path as the person typed it, relative to the directory they typed it in: <c>dotnet run --project Crm.Web</c>
    /// starts the program in the project's directory (where the web host finds its content), but the shell that ran
    /// it leaves its own directory in PWD.
    /// </summary>
    public static string FilePath(string path) =>
        Path.IsPathRooted(path) || Environment.GetEnvironmentVariable("PWD") is not { Length: > 0 } shell || !Directory.Exists(shell)
            ? Path.GetFullPath(path)
            : Path.GetFullPath(path, shell);
}
