using Crm.Customers;

namespace Crm.Web.RealTime;

/// <summary>
/// Renews this node's watches: the customers keep publishing to it, and its viewers stay listed in the viewers
/// grains (those of a node that dies expire).
/// </summary>
internal sealed class WatchHeartbeat(CustomerFeed feed) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CustomerViewersGrain.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await feed.RenewAsync();
        }
    }
}
