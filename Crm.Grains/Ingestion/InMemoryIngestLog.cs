namespace Crm.Ingestion;

/// <summary>The embedded mode's ingest log: in this process, lost when it stops.</summary>
public sealed class InMemoryIngestLog(int partitions = InMemoryIngestLog.DefaultPartitions) : IIngestLog
{
    public const int DefaultPartitions = 8;

    private readonly Lock _lock = new();
    private readonly HashSet<(string Tenant, string MessageId)> _seen = [];
    private readonly List<(IngestCheckpoint Position, LoggedEvent Event)>[] _partitions =
        Enumerable.Range(0, partitions).Select(_ => new List<(IngestCheckpoint, LoggedEvent)>()).ToArray();
    private readonly SortedDictionary<long, ParkedEvent>[] _parked = Enumerable.Range(0, partitions).Select(_ => new SortedDictionary<long, ParkedEvent>()).ToArray();
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
                if (_seen.Add((logged.TenantId, logged.Event.MessageId)))
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
            var rows = _partitions[partition];
            // Positions only grow within a partition: find the first one after the checkpoint by halving.
            var (low, high) = (0, rows.Count);
            while (low < high)
            {
                var middle = (low + high) / 2;
                (low, high) = rows[middle].Position.CompareTo(after) > 0 ? (low, middle) : (middle + 1, high);
            }

            IReadOnlyList<(IngestCheckpoint, LoggedEvent)> page = rows.GetRange(low, Math.Min(limit, rows.Count - low));
            return Task.FromResult(page);
        }
    }

    public Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, IngestCheckpoint appliedUpTo, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            bool Prunable((IngestCheckpoint Position, LoggedEvent Event) row) =>
                row.Position.CompareTo(appliedUpTo) <= 0 && row.Event.Event.ReceivedAt < receivedBefore && !_parked[partition].ContainsKey(row.Position.Position);

            var pruned = _partitions[partition].Where(Prunable).ToList();
            _partitions[partition].RemoveAll(Prunable);
            foreach (var (_, logged) in pruned)
            {
                _seen.Remove((logged.TenantId, logged.Event.MessageId));
            }

            return Task.FromResult((long)pruned.Count);
        }
    }

    public Task ParkAsync(int partition, IReadOnlyList<ParkedEvent> parked, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var one in parked)
            {
                _parked[partition][one.Position] = _parked[partition].TryGetValue(one.Position, out var before)
                    ? before with { Reason = one.Reason, Attempts = one.Attempts }
                    : one;
            }
        }

        return Task.CompletedTask;
    }

    public Task UnparkAsync(int partition, IReadOnlyCollection<long> positions, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var position in positions)
            {
                _parked[partition].Remove(position);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ParkedEvent>> ParkedAsync(int partition, long after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ParkedEvent> page = [.. _parked[partition].Values.Where(p => p.Position > after).Take(limit)];
            return Task.FromResult(page);
        }
    }

    public Task<long> ParkedCountAsync(int partition, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult((long)_parked[partition].Count);
        }
    }
}
