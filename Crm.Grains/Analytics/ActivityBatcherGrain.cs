using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Crm.Analytics;

/// <summary>One per silo: collects activity for a moment, then publishes one batch per tenant on its activity stream.</summary>
[StatelessWorker(1)]
public sealed partial class ActivityBatcherGrain(ILogger<ActivityBatcherGrain> logger) : Grain, IActivityBatcherGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A tenant's activity kept for another try when publishing it failed; beyond this it is dropped.</summary>
    private const int MaxRetained = 10_000;

    private Dictionary<string, List<Activity>> _pending = [];
    private IGrainTimer? _flush;

    public Task RecordAsync(string tenantId, ImmutableArray<Activity> activities)
    {
        Pending(tenantId).AddRange(activities);
        _flush ??= this.RegisterGrainTimer(_ => FlushAsync(), new GrainTimerCreationOptions(FlushInterval, FlushInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    private async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batches = _pending;
        _pending = [];
        var provider = this.GetStreamProvider(Constants.StreamProvider);
        foreach (var (tenantId, items) in batches)
        {
            try
            {
                await provider.GetStream<ActivityBatch>(StreamId.Create(Constants.ActivityStreamNamespace, tenantId)).OnNextAsync(new ActivityBatch([.. items]));
            }
            catch (Exception ex)
            {
                // One tenant's failure (a full stream queue, say) must not cost the others their batches.
                var retained = items.Count <= MaxRetained;
                LogPublishFailed(ex, tenantId, items.Count, retained);
                if (retained)
                {
                    Pending(tenantId).InsertRange(0, items);
                }
            }
        }
    }

    private List<Activity> Pending(string tenantId)
    {
        if (!_pending.TryGetValue(tenantId, out var list))
        {
            _pending[tenantId] = list = [];
        }

        return list;
    }

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: {Count} activities not published to the analytic grains (kept for the next try: {Retained})")]
    private partial void LogPublishFailed(Exception exception, string tenantId, int count, bool retained);
}
