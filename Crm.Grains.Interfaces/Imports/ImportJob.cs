namespace Crm.Imports;

public enum ImportStatus
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
}

/// <summary>
/// Where an import stands. Rows are read, checked and put in the ingest log (<see cref="Logged"/>); the partition
/// processors apply them and report what each did (<see cref="Created"/>, <see cref="Updated"/>,
/// <see cref="Unchanged"/>). A dry run stops after checking: its created and updated say what would happen.
/// </summary>
/// <param name="Rejected">Rows refused, each with its reasons in the rejected-rows file.</param>
/// <param name="BytesRead">How far into the file reading got (for a database, how many rows): with <see cref="ImportSpec.FileBytes"/> (<see cref="ImportSpec.QueryRows"/>), the progress and the time left.</param>
[GenerateSerializer, Immutable, Alias("crm.import-job")]
public sealed record ImportJob(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string TenantId,
    [property: Id(2)] ImportSpec Spec,
    [property: Id(3)] ImportStatus Status,
    [property: Id(4)] long RowsRead,
    [property: Id(5)] long Logged,
    [property: Id(6)] long Created,
    [property: Id(7)] long Updated,
    [property: Id(8)] long Unchanged,
    [property: Id(9)] long Rejected,
    [property: Id(10)] long BytesRead,
    [property: Id(11)] DateTimeOffset? StartedAt,
    [property: Id(12)] DateTimeOffset? FinishedAt,
    [property: Id(13)] string? Error)
{
    /// <summary>The key of the import's grain (<see cref="IImportJobGrain"/>).</summary>
    public static string Key(string tenantId, Guid importId) => $"{tenantId}/{importId}";

    /// <summary>The ingest message id of an imported row: the same on every run, so a row applied before is not applied again.</summary>
    public static string MessageId(Guid importId, long row) => $"import-{importId:N}-{row}";

    /// <summary>The row number in an imported row's message id (0 when it is not one).</summary>
    public static long RowOf(string messageId) =>
        messageId.StartsWith("import-", StringComparison.Ordinal) && long.TryParse(messageId.AsSpan(messageId.LastIndexOf('-') + 1), out var row) ? row : 0;

    /// <summary>Rows the processors reported applied.</summary>
    public long Applied => Created + Updated + Unchanged;

    public bool IsFinished => Status is ImportStatus.Completed or ImportStatus.Failed or ImportStatus.Cancelled;
}

public enum ImportRowResult
{
    Created = 0,
    Updated = 1,
    Unchanged = 2,
    /// <summary>Applied by an earlier run of the processor that did not live to report it: counted as unchanged, as what it did is not known.</summary>
    AppliedBefore = 3,
    /// <summary>Parked: it fails on its own.</summary>
    Refused = 4,
}

/// <summary>What became of an imported row, by its position in its ingest log partition.</summary>
/// <param name="Row">The row's number in the file.</param>
/// <param name="Reason">Why it was refused, for a refused row.</param>
/// <param name="Recovered">Applied when tried again after it was parked (and reported refused).</param>
[GenerateSerializer, Immutable, Alias("crm.import-row-outcome")]
public readonly record struct ImportRowOutcome(
    [property: Id(0)] long Position,
    [property: Id(1)] ImportRowResult Result,
    [property: Id(2)] long Row = 0,
    [property: Id(3)] string? Reason = null,
    [property: Id(4)] bool Recovered = false);

/// <summary>A stretch of rows read and checked, committed together: rows up to and including number <see cref="NextRow"/> are done.</summary>
/// <param name="Rejected">Rows refused while reading, so far.</param>
/// <param name="Chunk">The number of this commit: the rejected rows it found are stored under it, so a commit made again after a crash overwrites them.</param>
[GenerateSerializer, Immutable, Alias("crm.import-commit")]
public sealed record ImportCommit(
    [property: Id(0)] int Chunk,
    [property: Id(1)] long NextRow,
    [property: Id(2)] long Logged,
    [property: Id(3)] long Rejected,
    [property: Id(4)] long BytesRead,
    [property: Id(5)] long WouldCreate = 0,
    [property: Id(6)] long WouldUpdate = 0);

/// <summary>The right to run an import for a while, going on from its last commit (none: from the start).</summary>
[GenerateSerializer, Immutable, Alias("crm.import-lease")]
public sealed record ImportLease(
    [property: Id(0)] ImportJob Job,
    [property: Id(1)] ImportCommit? Last);
