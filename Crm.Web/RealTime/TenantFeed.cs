using System.Collections.Concurrent;
using Crm.Analytics;
using Crm.Imports;
using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;

namespace Crm.Web.RealTime;

/// <summary>
/// One of a tenant's streams as watched through this web node (its live KPIs, its imports): one subscription to the
/// tenant's stream while anyone here watches it, forwarded to the SignalR group "tenant:{id}:{stream namespace}" as
/// hub message <paramref name="message"/>, each item converted by <paramref name="convert"/>.
/// </summary>
public sealed class TenantFeed<T>(IClusterClient cluster, IHubContext<CrmHub> hub, string streamNamespace, string message, Func<T, object> convert)
{
    private readonly ConcurrentDictionary<string, Watch> _watches = new();

    public string GroupName(string tenantId) => $"tenant:{tenantId}:{streamNamespace}";

    public async Task WatchAsync(string connectionId, string tenantId, CancellationToken cancellationToken)
    {
        var watch = _watches.GetOrAdd(tenantId, _ => new Watch());
        await watch.Gate.WaitAsync(cancellationToken);
        try
        {
            watch.Subscription ??= await cluster.GetStreamProvider(Constants.StreamProvider)
                .GetStream<T>(StreamId.Create(streamNamespace, tenantId))
                .SubscribeAsync((item, _) => hub.Clients.Group(GroupName(tenantId)).SendAsync(message, convert(item)));
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
        public StreamSubscriptionHandle<T>? Subscription { get; set; }
    }
}

/// <summary>The feeds of tenant streams that pages watch.</summary>
public static class TenantFeeds
{
    public static IServiceCollection AddTenantFeeds(this IServiceCollection services) => services
        .AddSingleton(sp => new TenantFeed<LiveKpis>(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IHubContext<CrmHub>>(),
            Constants.DashboardStreamNamespace, HubMessages.KpisChanged, kpis => kpis))
        .AddSingleton(sp => new TenantFeed<ImportJob>(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IHubContext<CrmHub>>(),
            Constants.ImportStreamNamespace, HubMessages.ImportProgress, job => Web.Imports.ImportResponse.From(job, sp.GetRequiredService<TimeProvider>().GetUtcNow())))
        .AddSingleton(sp => new TenantFeed<Crm.Segments.SegmentCounts>(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IHubContext<CrmHub>>(),
            Constants.SegmentCountsStreamNamespace, HubMessages.SegmentCountsChanged, HubMessages.SegmentCountsMessage.From))
        .AddSingleton(sp => new TenantFeed<Crm.Duplicates.DuplicateScan>(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IHubContext<CrmHub>>(),
            Constants.DuplicateScanStreamNamespace, HubMessages.DuplicatesChanged, Web.Duplicates.DuplicateEndpoints.ScanResponse.From))
        .AddSingleton(sp => new TenantFeed<ValueSegments>(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<IHubContext<CrmHub>>(),
            Constants.ValueSegmentsStreamNamespace, HubMessages.ValueSegmentsChanged, Web.Analytics.ValueSegmentsResponse.From));
}
