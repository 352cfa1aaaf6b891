namespace Crm.Ingestion;

/// <summary>The embedded mode's ingest log: in this process, lost when it stops.</summary>
public sealed class InMemoryIngestLog(int partitions = InMemoryIngestLog.DefaultPartitions) : IIngestLog
{
    public const int DefaultPartitions = 8;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string MessageId), DateTimeOffset> _seen = [];
    private readonly List<(IngestCheckpoint Position, LoggedEvent Event)>[] _partitions =
        Enumerable.Range(0, partitions).Select(_ => new List<(IngestCheckpoint, LoggedEvent)>()).ToArray();
    private long _position;

    public int Partitions => partitions;

    public Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = new bool[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                var logged = events[i];
                if (_seen.TryAdd((logged.TenantId, logged.Event.MessageId), logged.Event.ReceivedAt))
                {
                    _partitions[logged.PartitionOf(partitions)].Add((new IngestCheckpoint(++_position), logged));
                    result[i] = true;
                }
            }

            return Task.FromResult(result);
        }
    }

    public Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<(IngestCheckpoint, LoggedEvent)> rows = _partitions[partition].Where(e => e.Position.CompareTo(after) > 0).Take(limit).ToList();
            return Task.FromResult(rows);
        }
    }

    public Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var pruned = _partitions[partition].Where(e => e.Event.Event.ReceivedAt < receivedBefore).ToList();
            _partitions[partition].RemoveAll(e => e.Event.Event.ReceivedAt < receivedBefore);
            foreach (var (_, logged) in pruned)
            {
                _seen.Remove((logged.TenantId, logged.Event.MessageId));
            }

            return Task.FromResult((long)pruned.Count);
        }
    }
}
