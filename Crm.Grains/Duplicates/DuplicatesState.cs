namespace Crm.Duplicates;

[GenerateSerializer, Immutable, Alias("crm.duplicates-state")]
public sealed record DuplicatesState
{
    [Id(0)] public DuplicateSettings Settings { get; init; } = DuplicateSettings.Default;
    [Id(1)] public DuplicateScanStatus Status { get; init; }
    /// <summary>The last customer id the running scan checked.</summary>
    [Id(2)] public string? ScannedTo { get; init; }
    [Id(3)] public long Checked { get; init; }
    [Id(4)] public long Total { get; init; }
    [Id(5)] public DateTimeOffset? StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Changed customers not checked yet when the grain last went away: checked when it comes back.</summary>
    [Id(7)] public System.Collections.Immutable.ImmutableArray<string> Pending { get; init; } = [];
    /// <summary>More customers changed than could wait: another scan follows the running one.</summary>
    [Id(8)] public bool ScanAgain { get; init; }
}
