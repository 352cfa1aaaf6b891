using Crm.Customers;

namespace Crm.Web.RealTime;

/// <summary>Refreshes this node's viewers in the viewers grains, so that those of a node that dies expire.</summary>
internal sealed class ViewerHeartbeat(CustomerFeed feed, ILogger<ViewerHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CustomerViewersGrain.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await feed.RefreshViewersAsync();
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Refreshing viewers failed; trying again in {Interval}", CustomerViewersGrain.RefreshInterval);
            }
        }
    }
}
