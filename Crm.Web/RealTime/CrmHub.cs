using Crm.Analytics;
using Crm.Customers;
using Crm.Web.Analytics;
using Crm.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Crm.Web.RealTime;

/// <summary>
/// Live customer timelines. Watch a customer with the last change number you saw (null: from now on) and receive
/// interactionAdded, customerChanged and customerDeleted, each with its "sequence": first what you missed, then live,
/// with no gap and no repeat. viewersChanged tells who else is looking at the customer.
/// </summary>
[Authorize(Policy = Policies.Agent)]
public sealed class CrmHub(
    CustomerFeed feed, TenantFeed<LiveKpis> dashboards, TenantFeed<Crm.Imports.ImportJob> imports, TenantFeed<Crm.Segments.SegmentCounts> segmentCounts, TenantFeed<Crm.Duplicates.DuplicateScan> duplicates, TenantFeed<ValueSegments> valueSegments, HubConnections connections, IGrainFactory grains, IAuthorizationService authorization, IOptions<CrmHubOptions> options) : Hub
{
    public const string Path = "/hubs/crm";

    public override Task OnConnectedAsync()
    {
        connections.Opened(Context);
        return base.OnConnectedAsync();
    }

    /// <returns>The change number you are up to date with once the call returns.</returns>
    public async Task<long> WatchCustomer(string customerId, long? lastSeenSequence)
    {
        if (lastSeenSequence < 0)
        {
            throw new HubException("lastSeenSequence must be 0 or more.");
        }

        // Another tenant's customer is indistinguishable from one that does not exist.
        if (!Context.User!.TryGetCustomerKey(customerId, out var key) || await grains.GetGrain<ICustomerGrain>(key.ToString()).GetAsync() is null)
        {
            throw new HubException($"Customer '{customerId}' was not found.");
        }

        if (!Watched.Contains(key) && Watched.Count >= options.Value.MaxWatchedCustomers)
        {
            throw new HubException($"A connection watches at most {options.Value.MaxWatchedCustomers} customers: unwatch one first.");
        }

        Watched.Add(key);
        var upTo = await feed.WatchAsync(Context.ConnectionId, key, lastSeenSequence, Context.ConnectionAborted);
        // The others learn about the new viewer from the viewers stream; the new viewer learns about them here,
        // as a person who already views the customer in another tab changes nothing for the others.
        var viewers = await Viewers(key).JoinAsync(Context.ConnectionId, Context.User!.ToActor());
        await Clients.Caller.SendAsync(HubMessages.ViewersChanged, new ViewersChanged(key.CustomerId, viewers));
        return upTo;
    }

    /// <summary>Supervisors and admins: receive kpisChanged as the tenant's live KPIs move.</summary>
    /// <returns>The KPIs now.</returns>
    public async Task<LiveKpis> WatchDashboard()
    {
        if (!(await authorization.AuthorizeAsync(Context.User!, Policies.Supervisor)).Succeeded)
        {
            throw new HubException("Only supervisors and admins see the dashboard.");
        }

        var tenant = Context.User!.TenantId();
        await dashboards.WatchAsync(Context.ConnectionId, tenant, Context.ConnectionAborted);
        Context.Items[nameof(WatchDashboard)] = tenant;
        return await grains.GetGrain<ITenantActivityGrain>(tenant).GetKpisAsync();
    }

    public async Task UnwatchDashboard()
    {
        if (Context.Items.Remove(nameof(WatchDashboard), out var tenant))
        {
            await dashboards.UnwatchAsync(Context.ConnectionId, (string)tenant!);
        }
    }

    /// <summary>Supervisors and admins: receive importProgress as the tenant's imports move on.</summary>
    public async Task WatchImports()
    {
        if (!(await authorization.AuthorizeAsync(Context.User!, Policies.Supervisor)).Succeeded)
        {
            throw new HubException("Only supervisors and admins follow imports.");
        }

        var tenant = Context.User!.TenantId();
        await imports.WatchAsync(Context.ConnectionId, tenant, Context.ConnectionAborted);
        Context.Items[nameof(WatchImports)] = tenant;
    }

    public async Task UnwatchImports()
    {
        if (Context.Items.Remove(nameof(WatchImports), out var tenant))
        {
            await imports.UnwatchAsync(Context.ConnectionId, (string)tenant!);
        }
    }

    /// <summary>Everyone: receive segmentCountsChanged as the member counts of the tenant's segments move.</summary>
    /// <returns>The counts now.</returns>
    public async Task<HubMessages.SegmentCountsMessage> WatchSegments()
    {
        var tenant = Context.User!.TenantId();
        await segmentCounts.WatchAsync(Context.ConnectionId, tenant, Context.ConnectionAborted);
        Context.Items[nameof(WatchSegments)] = tenant;
        return HubMessages.SegmentCountsMessage.From(await grains.GetGrain<Crm.Segments.ISegmentCountsGrain>(tenant).WatchAsync());
    }

    public async Task UnwatchSegments()
    {
        if (Context.Items.Remove(nameof(WatchSegments), out var tenant))
        {
            await segmentCounts.UnwatchAsync(Context.ConnectionId, (string)tenant!);
        }
    }

    /// <summary>Everyone: receive duplicatesChanged as the tenant's duplicate detection moves on.</summary>
    /// <returns>Its status now.</returns>
    public async Task<Web.Duplicates.DuplicateEndpoints.ScanResponse> WatchDuplicates()
    {
        var tenant = Context.User!.TenantId();
        await duplicates.WatchAsync(Context.ConnectionId, tenant, Context.ConnectionAborted);
        Context.Items[nameof(WatchDuplicates)] = tenant;
        return Web.Duplicates.DuplicateEndpoints.ScanResponse.From(await grains.GetGrain<Crm.Duplicates.IDuplicatesGrain>(tenant).GetScanAsync());
    }

    public async Task UnwatchDuplicates()
    {
        if (Context.Items.Remove(nameof(WatchDuplicates), out var tenant))
        {
            await duplicates.UnwatchAsync(Context.ConnectionId, (string)tenant!);
        }
    }

    /// <summary>Supervisors and admins: receive valueSegmentsChanged as the value segments train and change version.</summary>
    /// <returns>Them now.</returns>
    public async Task<ValueSegmentsResponse> WatchValueSegments()
    {
        if (!(await authorization.AuthorizeAsync(Context.User!, Policies.Supervisor)).Succeeded)
        {
            throw new HubException("Only supervisors and admins follow the value segments' training.");
        }

        var tenant = Context.User!.TenantId();
        await valueSegments.WatchAsync(Context.ConnectionId, tenant, Context.ConnectionAborted);
        Context.Items[nameof(WatchValueSegments)] = tenant;
        return ValueSegmentsResponse.From(await grains.GetGrain<IValueSegmentsGrain>(tenant).GetAsync());
    }

    public async Task UnwatchValueSegments()
    {
        if (Context.Items.Remove(nameof(WatchValueSegments), out var tenant))
        {
            await valueSegments.UnwatchAsync(Context.ConnectionId, (string)tenant!);
        }
    }

    public async Task UnwatchCustomer(string customerId)
    {
        if (Context.User!.TryGetCustomerKey(customerId, out var key) && Watched.Remove(key))
        {
            await LeaveAsync(key);
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Closed(Context.ConnectionId);
        foreach (var key in Watched)
        {
            await LeaveAsync(key);
        }

        await UnwatchDashboard();
        await UnwatchImports();
        await UnwatchSegments();
        await UnwatchDuplicates();
        await UnwatchValueSegments();

        await base.OnDisconnectedAsync(exception);
    }

    private async Task LeaveAsync(CustomerKey key)
    {
        await feed.UnwatchAsync(Context.ConnectionId, key);
        await Viewers(key).LeaveAsync(Context.ConnectionId);
    }

    private ICustomerViewersGrain Viewers(CustomerKey key) => grains.GetGrain<ICustomerViewersGrain>(key.ToString());

    private HashSet<CustomerKey> Watched => (HashSet<CustomerKey>)(Context.Items[nameof(Watched)] ??= new HashSet<CustomerKey>());
}
