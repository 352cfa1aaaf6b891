using System.Collections.Concurrent;
using Crm.Analytics;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;

namespace Crm.Web.Analytics;

/// <summary>
/// The tenants whose dashboards are open through this web node: one subscription to a tenant's dashboard stream
/// while anyone here watches it, forwarded to the SignalR group "tenant:{id}:dashboard".
/// </summary>
public sealed class DashboardFeed(IClusterClient cluster, IHubContext<CrmHub> hub)
{
    private readonly ConcurrentDictionary<string, Watch> _watches = new();

    public static string GroupName(string tenantId) => $"tenant:{tenantId}:dashboard";

    public async Task WatchAsync(string connectionId, string tenantId, CancellationToken cancellationToken)
    {
        var watch = _watches.GetOrAdd(tenantId, _ => new Watch());
        await watch.Gate.WaitAsync(cancellationToken);
        try
        {
            watch.Subscription ??= await cluster.GetStreamProvider(Constants.StreamProvider)
                .GetStream<LiveKpis>(StreamId.Create(Constants.DashboardStreamNamespace, tenantId))
                .SubscribeAsync((kpis, _) => hub.Clients.Group(GroupName(tenantId)).SendAsync(HubMessages.KpisChanged, kpis));
            watch.Connections.Add(connectionId);
            await hub.Groups.AddToGroupAsync(connectionId, GroupName(tenantId), cancellationToken);
        }
        finally
        {
            watch.Gate.Release();
        }
    }

    public async Task UnwatchAsync(string connectionId, string tenantId)
    {
        if (!_watches.TryGetValue(tenantId, out var watch))
        {
            return;
        }

        await watch.Gate.WaitAsync();
        try
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, GroupName(tenantId));
            if (watch.Connections.Remove(connectionId) && watch.Connections.Count == 0 && watch.Subscription is { } subscription)
            {
                await subscription.UnsubscribeAsync();
                watch.Subscription = null;
            }
        }
        finally
        {
            watch.Gate.Release();
        }
    }

    private sealed class Watch
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public HashSet<string> Connections { get; } = [];
        public StreamSubscriptionHandle<LiveKpis>? Subscription { get; set; }
    }
}
