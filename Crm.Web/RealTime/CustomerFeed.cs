using System.Collections.Concurrent;
using Crm.Customers;
using Microsoft.AspNetCore.SignalR;

namespace Crm.Web.RealTime;

/// <summary>
/// The customers watched through this web node: the first watcher of a customer subscribes the node to the
/// customer's stream, the last one to leave unsubscribes it. No polling, and no backplane between web nodes.
/// </summary>
public sealed partial class CustomerFeed(IClusterClient cluster, IHubContext<CrmHub> hub, ILogger<CustomerFeed> logger)
{
    private readonly ConcurrentDictionary<CustomerKey, CustomerWatch> _watches = new();

    public bool IsWatched(CustomerKey key) => _watches.ContainsKey(key);

    /// <returns>The change number the connection is up to date with once this returns.</returns>
    public async Task<long> WatchAsync(string connectionId, CustomerKey key, long? lastSeen, CancellationToken cancellationToken)
    {
        while (true)
        {
            var watch = _watches.GetOrAdd(key, k => new CustomerWatch(k, cluster, hub, logger));
            if (await watch.TryJoinAsync(connectionId, lastSeen, cancellationToken) is { } upTo)
            {
                return upTo;
            }

            // Its last watcher left while we waited: it has unsubscribed, so start a new one.
            _watches.TryRemove(KeyValuePair.Create(key, watch));
        }
    }

    /// <summary>
    /// Renews every watch of this node (see <see cref="CustomerWatch.RenewAsync"/>); one that fails is tried again at
    /// the next heartbeat, well within the customer's lease.
    /// </summary>
    public async Task RenewAsync()
    {
        foreach (var watch in _watches.Values)
        {
            try
            {
                await watch.RenewAsync();
            }
            catch (Exception ex)
            {
                LogRenewFailed(ex, watch.Key);
            }
        }
    }

    public async Task UnwatchAsync(string connectionId, CustomerKey key)
    {
        if (_watches.TryGetValue(key, out var watch) && await watch.LeaveAsync(connectionId))
        {
            _watches.TryRemove(KeyValuePair.Create(key, watch));
        }
    }

    [LoggerMessage(LogLevel.Warning, "Renewing the watch of customer {CustomerKey} failed; trying again at the next heartbeat")]
    private partial void LogRenewFailed(Exception exception, CustomerKey customerKey);
}
