using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Crm.Analytics;

/// <summary>
/// Gathers activity on each silo and hands it to the tenants' activity streams in batches, a few times a second,
/// so that a busy tenant's analytics take batches instead of one message per event.
/// </summary>
[Alias("crm.activity-batcher-grain")]
public interface IActivityBatcherGrain : IGrainWithIntegerKey
{
    [Alias("record"), OneWay]
    Task RecordAsync(string tenantId, ImmutableArray<Activity> activities);
}
