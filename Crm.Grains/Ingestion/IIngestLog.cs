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
    /// those applied: at or before <paramref name="appliedUpTo"/>, and none of the <paramref name="keep"/> positions.
    /// </summary>
    Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, IngestCheckpoint appliedUpTo, IReadOnlyCollection<long> keep, CancellationToken cancellationToken = default);
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
