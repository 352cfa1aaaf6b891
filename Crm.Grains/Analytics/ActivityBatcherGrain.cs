using System.Collections.Immutable;
using Crm.Streams;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Crm.Analytics;

/// <summary>One per silo: collects activity for a moment, then publishes one batch per tenant on its activity stream.</summary>
[StatelessWorker(1)]
public sealed class ActivityBatcherGrain : Grain, IActivityBatcherGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly TenantBatches<Activity> _batches;

    public ActivityBatcherGrain(ILogger<ActivityBatcherGrain> logger) =>
        _batches = new(this, FlushInterval, PublishAsync, logger);

    public Task RecordAsync(string tenantId, ImmutableArray<Activity> activities)
    {
        _batches.Add(tenantId, activities);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _batches.FlushAsync();

    private Task PublishAsync(string tenantId, ImmutableArray<Activity> activities) =>
        this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<ActivityBatch>(StreamId.Create(Constants.ActivityStreamNamespace, tenantId))
            .OnNextAsync(new ActivityBatch(activities));
}
