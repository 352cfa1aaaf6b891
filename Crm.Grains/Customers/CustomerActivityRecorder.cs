using System.Collections.Immutable;
using Crm.Analytics;

namespace Crm.Customers;

/// <summary>Tells the analytic grains what happened to a customer, without waiting: one message per change, however many events it took in.</summary>
internal sealed class CustomerActivityRecorder(IGrainFactory grains, CustomerKey key)
{
    private IActivityBatcherGrain? _batcher;

    public void Record(ImmutableArray<Activity> activities)
    {
        if (!activities.IsEmpty)
        {
            (_batcher ??= grains.GetGrain<IActivityBatcherGrain>(0)).RecordAsync(key.TenantId, activities).Ignore();
        }
    }
}
