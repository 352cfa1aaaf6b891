using Orleans.Concurrency;
using Orleans.Streams;

namespace Crm.Analytics;

/// <summary>One per silo: collects activity for a moment, then publishes one batch per tenant on its activity stream.</summary>
[StatelessWorker(1)]
public sealed class ActivityBatcherGrain : Grain, IActivityBatcherGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private Dictionary<string, List<Activity>> _pending = [];
    private IGrainTimer? _flush;

    public Task RecordAsync(string tenantId, Activity activity)
    {
        if (!_pending.TryGetValue(tenantId, out var list))
        {
            _pending[tenantId] = list = [];
        }

        list.Add(activity);
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
            await provider.GetStream<ActivityBatch>(StreamId.Create(Constants.ActivityStreamNamespace, tenantId)).OnNextAsync(new ActivityBatch([.. items]));
        }
    }
}
