using System.Collections.Immutable;

namespace Crm.Ingestion;

public sealed class SourceDebuggerGrain : Grain, ISourceDebuggerGrain
{
    public const int Capacity = 100;

    private readonly LinkedList<DebuggerEntry> _recent = [];

    public Task RecordAsync(ImmutableArray<DebuggerEntry> entries)
    {
        foreach (var entry in entries)
        {
            // Requests record without waiting, so their calls may arrive out of order: keep the list newest first by when each was received.
            var later = _recent.First;
            while (later is not null && later.Value.At > entry.At)
            {
                later = later.Next;
            }

            if (later is null)
            {
                _recent.AddLast(entry);
            }
            else
            {
                _recent.AddBefore(later, entry);
            }

            if (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<DebuggerEntry>> GetRecentAsync() => Task.FromResult(_recent.ToImmutableArray());
}
