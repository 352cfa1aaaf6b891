using System.Collections.Concurrent;
using Crm.Duplicates;

namespace Crm.Customers;

/// <summary>
/// Tells each tenant's duplicate detection which of its customers changed what matching compares, at most once a
/// second from this silo however many change (an import changes thousands a second).
/// </summary>
public sealed class CustomerChangeSignals : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    /// <summary>Customers of one tenant sent in one signal at most; the rest go with the next.</summary>
    private const int MaxPerSignal = 5_000;

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _changed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public CustomerChangeSignals(IGrainFactory grains, TimeProvider time)
    {
        _grains = grains;
        // Not on (nor stopped with) the scheduler of the grain that first asks for this, nor in its trace.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => SignalAsync(time));
        }
    }

    /// <param name="matchChanged">Whether what duplicate matching compares changed (or may have: the first row an activation writes).</param>
    public void Changed(CustomerKey customer, bool matchChanged)
    {
        if (matchChanged)
        {
            _changed.GetOrAdd(customer.TenantId, _ => new(StringComparer.Ordinal)).TryAdd(customer.CustomerId, true);
        }
    }

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
                foreach (var (tenantId, customers) in _changed)
                {
                    var ids = customers.Keys.Take(MaxPerSignal).ToArray();
                    foreach (var id in ids)
                    {
                        customers.TryRemove(id, out _);
                    }

                    if (customers.IsEmpty)
                    {
                        _changed.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, bool>>(tenantId, customers));
                    }

                    if (ids.Length > 0)
                    {
                        // One-way: a silo that is stopping or a grain that is away costs a signal, which the next change sends again.
                        _grains.GetGrain<IDuplicatesGrain>(tenantId).ChangedAsync(ids).Ignore();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the silo's services went first.
        }
    }
}
