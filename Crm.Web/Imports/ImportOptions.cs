namespace Crm.Web.Imports;

public sealed class ImportOptions
{
    public const string Section = "Crm:Imports";

    /// <summary>Rows read, checked and committed together.</summary>
    public int RowsPerCommit { get; set; } = 500;

    /// <summary>
    /// Rows an import may have in the ingest log not yet applied: beyond this it waits for the processors, so that
    /// live events never queue behind a whole file.
    /// </summary>
    public int MaxRowsAhead { get; set; } = 5_000;

    /// <summary>How long a node may run an import without committing before another node may take it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Imports one node runs at once; the others wait their turn (or run on other nodes).</summary>
    public int MaxRunningPerNode { get; set; } = 2;

    /// <summary>How often a node looks for imports to take over.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest file an import takes.</summary>
    public const long MaxFileBytes = 4L << 30;
}
