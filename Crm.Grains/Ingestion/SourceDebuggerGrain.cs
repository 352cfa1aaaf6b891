using System.Collections.Immutable;

namespace Crm.Ingestion;

public sealed class SourceDebuggerGrain(TimeProvider time) : Grain, ISourceDebuggerGrain
{
    public const int Capacity = 100;

    /// <summary>The debugger page asks every 2 seconds; a page closed this long ago no longer counts.</summary>
    public static readonly TimeSpan WatchedFor = TimeSpan.FromMinutes(1);

    private DateTimeOffset _askedAt = DateTimeOffset.MinValue;

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

    public Task<ImmutableArray<DebuggerEntry>> GetRecentAsync()
    {
        _askedAt = time.GetUtcNow();
        return Task.FromResult(_recent.ToImmutableArray());
    }

    public Task<bool> IsWatchedAsync() => Task.FromResult(time.GetUtcNow() - _askedAt < WatchedFor);
}
