namespace Crm.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The folder holding Crm.Orleans.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Where a sibling project's build output is, for the configuration these tests were built in.</summary>
    public static string OutputOf(string project) =>
        Path.GetFullPath(AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}Crm.Tests{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}{project}{Path.DirectorySeparatorChar}"));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Crm.Orleans.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the tests from within the repository.");
    }
}
