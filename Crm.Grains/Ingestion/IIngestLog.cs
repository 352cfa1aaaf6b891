namespace Crm.Ingestion;

/// <summary>
/// The system of record of everything integrations send: durable before the sender hears "success", unique on
/// (tenant, message id), and split into partitions that processors read in order from their checkpoints.
/// </summary>
public interface IIngestLog
{
    int Partitions { get; }

    /// <summary>Stores the events in one transaction.</summary>
    /// <returns>For each event, in order: true if it is new, false if the tenant had sent that message id before.</returns>
    Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default);

    /// <summary>A partition's events after a checkpoint, in order, as far as every earlier writer has committed.</summary>
    Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Forgets a partition's events received before the cutoff: their message ids are no longer deduplicated.</summary>
    Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, CancellationToken cancellationToken = default);
}

/// <summary>An event and the tenant it belongs to.</summary>
public sealed record LoggedEvent(string TenantId, IngestEvent Event)
{
    /// <summary>The partition of an event: a stable hash of tenant and message id, the same on every node and in every run.</summary>
    public int PartitionOf(int partitions) =>
        (int)(System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes($"{TenantId}\n{Event.MessageId}")) % (uint)partitions);
}
