using System.Collections.Immutable;
using Crm.Streams;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Crm.Segments;

/// <summary>One per silo: collects membership changes for a moment, then publishes one batch per tenant on its membership stream.</summary>
[StatelessWorker(1)]
public sealed class SegmentMembershipBatcherGrain : Grain, ISegmentMembershipBatcherGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly TenantBatches<SegmentMembershipChange> _batches;

    public SegmentMembershipBatcherGrain(ILogger<SegmentMembershipBatcherGrain> logger) =>
        _batches = new(this, FlushInterval, PublishAsync, logger);

    public Task RecordAsync(string tenantId, ImmutableArray<SegmentMembershipChange> changes)
    {
        _batches.Add(tenantId, changes);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _batches.FlushAsync();

    private Task PublishAsync(string tenantId, ImmutableArray<SegmentMembershipChange> changes) =>
        this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<SegmentMembershipChanges>(StreamId.Create(Constants.SegmentMembershipStreamNamespace, tenantId))
            .OnNextAsync(new SegmentMembershipChanges(tenantId, changes));
}
