using System.Collections.Concurrent;

namespace Crm.Segments;

/// <summary>
/// Tells each tenant's segment counts that its customers changed, at most once a second from this silo however many
/// change (an import changes thousands a second): the counts grain needs to know that something changed, not what.
/// </summary>
public sealed class SegmentChangeSignals : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<string, bool> _changed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public SegmentChangeSignals(IGrainFactory grains, TimeProvider time)
    {
        _grains = grains;
        // Not on (nor stopped with) the scheduler of the grain that first asks for this, nor in its trace.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => SignalAsync(time));
        }
    }

    public void Changed(string tenantId) => _changed.TryAdd(tenantId, true);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }

    private async Task SignalAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                foreach (var tenantId in _changed.Keys)
                {
                    _changed.TryRemove(tenantId, out _);
                    // One-way: a silo that is stopping or a grain that is away costs a signal, which the next change sends again.
                    _grains.GetGrain<ISegmentCountsGrain>(tenantId).ChangedAsync().Ignore();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
