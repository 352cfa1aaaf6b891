namespace Crm.Analytics;

/// <summary>
/// A tenant's live KPIs, kept from the tenant's activity stream (never by polling), keyed by tenant.
/// Changes are published, at most a few times a second, on the tenant's dashboard stream.
/// </summary>
[Alias("crm.tenant-activity-grain")]
public interface ITenantActivityGrain : IGrainWithStringKey
{
    [Alias("kpis")]
    Task<LiveKpis> GetKpisAsync();
}
