namespace Crm.Ingestion;

/// <summary>
/// Applies one partition of the ingest log, in order, from its stored checkpoint: each event goes to the customer
/// it resolves to, and the checkpoint moves only after every event before it was applied. Keyed by partition number.
/// </summary>
[Alias("crm.ingest-partition-grain")]
public interface IIngestPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Reads and applies whatever is new.</summary>
    [Alias("wake")]
    Task WakeAsync();

    [Alias("status")]
    Task<IngestPartitionStatus> GetStatusAsync();

    /// <summary>Tries the parked events again now (it also happens every minute).</summary>
    /// <returns>Those still parked.</returns>
    [Alias("retry-parked")]
    Task<IReadOnlyList<ParkedEvent>> RetryParkedAsync();
}

[GenerateSerializer, Immutable, Alias("crm.ingest-partition-status")]
public sealed record IngestPartitionStatus(
    [property: Id(0)] int Partition,
    [property: Id(1)] IngestCheckpoint Checkpoint,
    [property: Id(2)] long Applied,
    [property: Id(3)] DateTimeOffset? LastAppliedAt,
    [property: Id(4)] IReadOnlyList<ParkedEvent> Parked);
