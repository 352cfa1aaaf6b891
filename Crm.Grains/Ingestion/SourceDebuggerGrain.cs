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
            _recent.AddFirst(entry);
            if (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<DebuggerEntry>> GetRecentAsync() => Task.FromResult(_recent.ToImmutableArray());
}
