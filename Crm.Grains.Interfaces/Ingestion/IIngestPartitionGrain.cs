using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Crm.Ingestion;

/// <summary>
/// Applies one partition of the ingest log, in order, from its stored checkpoint: each event goes to the customer
/// it resolves to, and the checkpoint moves only after every event before it was applied. Keyed by partition number.
/// </summary>
[Alias("crm.ingest-partition-grain")]
public interface IIngestPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>There is new work: read and apply it. Web nodes call this after each commit, without waiting.</summary>
    [Alias("wake"), OneWay]
    Task WakeAsync();

    /// <summary>Who these identities resolve to is no longer known (a customer gave them up): resolve them afresh.</summary>
    [Alias("forget"), OneWay]
    Task ForgetAsync(string tenantId, ImmutableArray<Identity> identities);

    [Alias("status"), AlwaysInterleave]
    Task<IngestPartitionStatus> GetStatusAsync();

    /// <summary>When the oldest event not applied yet was received; null when caught up. What a health probe asks, without reading the parked events.</summary>
    [Alias("oldest-unapplied"), AlwaysInterleave]
    Task<DateTimeOffset?> GetOldestUnappliedAtAsync();

    /// <summary>Tries the parked events again now (it also happens every minute).</summary>
    /// <returns>The oldest of those still parked (up to 500).</returns>
    [Alias("retry-parked")]
    Task<IReadOnlyList<ParkedEvent>> RetryParkedAsync();
}

/// <param name="Parked">The oldest parked events, up to 500; <paramref name="ParkedCount"/> counts them all.</param>
/// <param name="OldestUnappliedAt">When the oldest event the partition has not applied yet was received; null when it is caught up.</param>
[GenerateSerializer, Immutable, Alias("crm.ingest-partition-status")]
public sealed record IngestPartitionStatus(
    [property: Id(0)] int Partition,
    [property: Id(1)] IngestCheckpoint Checkpoint,
    [property: Id(2)] long Applied,
    [property: Id(3)] DateTimeOffset? LastAppliedAt,
    [property: Id(4)] IReadOnlyList<ParkedEvent> Parked,
    [property: Id(5)] DateTimeOffset? OldestUnappliedAt = null,
    [property: Id(6)] long ParkedCount = 0);
