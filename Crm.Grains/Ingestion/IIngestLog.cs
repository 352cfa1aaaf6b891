using System.IO.Hashing;
using System.Text;

namespace Crm.Ingestion;

/// <summary>
/// The system of record of everything integrations send: durable before the sender hears "success", unique on
/// (tenant, message id), and split by person into partitions that processors read in order from their checkpoints.
/// </summary>
public interface IIngestLog
{
    int Partitions { get; }

    /// <summary>Stores the events in one transaction.</summary>
    /// <returns>For each event, in order: true if it is new, false if the tenant had sent that message id before.</returns>
    Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default);

    /// <summary>A partition's events after a checkpoint, in order, as far as every earlier writer has committed.</summary>
    Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a partition's events received before the cutoff (their message ids are no longer deduplicated), but only
    /// those applied: at or before <paramref name="appliedUpTo"/>, and none that is parked.
    /// </summary>
    Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, IngestCheckpoint appliedUpTo, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets events aside that fail on their own, or records them again with their latest reason and attempts: they stay
    /// in the log until unparked, however old, and are kept here rather than in the processor's state, so that however
    /// many one tenant's bad events are, the partition they share with other tenants goes on.
    /// </summary>
    Task ParkAsync(int partition, IReadOnlyList<ParkedEvent> parked, CancellationToken cancellationToken = default);

    /// <summary>Takes events off the parked list (applied, or gone from the log).</summary>
    Task UnparkAsync(int partition, IReadOnlyCollection<long> positions, CancellationToken cancellationToken = default);

    /// <summary>A partition's parked events after a position, oldest first.</summary>
    Task<IReadOnlyList<ParkedEvent>> ParkedAsync(int partition, long after, int limit, CancellationToken cancellationToken = default);

    Task<long> ParkedCountAsync(int partition, CancellationToken cancellationToken = default);
}

/// <summary>An event and the tenant it belongs to.</summary>
/// <param name="Problem">Set when a row of the log no longer reads as an event: it cannot be applied, only parked.</param>
public sealed record LoggedEvent(string TenantId, IngestEvent Event, string? Problem = null)
{
    public static LoggedEvent Unreadable(string tenantId, string messageId, string problem) =>
        new(tenantId, new IngestEvent { MessageId = messageId }, $"The logged event does not read: {problem}");

    /// <summary>
    /// The partition of an event: XxHash32 of the UTF-8 text "{tenant}\n{person}" (see <see cref="IngestEvent.PersonKey"/>),
    /// modulo the number of partitions. Stable on every node and in every run, so one person's events share a
    /// partition and are applied in the order they were received.
    /// </summary>
    public int PartitionOf(int partitions) =>
        (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes($"{TenantId}\n{Event.PersonKey}")) % (uint)partitions);
}
