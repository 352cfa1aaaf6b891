using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Crm.Streams;

/// <summary>
/// Items gathered per tenant for a moment, then handed on as one batch per tenant on a grain timer. A tenant whose
/// batch cannot be published (a full stream queue, say) keeps it for the next try, up to <see cref="MaxRetained"/>,
/// and costs the other tenants nothing.
/// </summary>
internal sealed partial class TenantBatches<TItem>(IGrainBase grain, TimeSpan every, Func<string, ImmutableArray<TItem>, Task> publish, ILogger logger)
{
    public const int MaxRetained = 10_000;

    private Dictionary<string, List<TItem>> _pending = new(StringComparer.Ordinal);
    private IGrainTimer? _flush;

    public void Add(string tenantId, IEnumerable<TItem> items)
    {
        Pending(tenantId).AddRange(items);
        _flush ??= grain.RegisterGrainTimer(_ => FlushAsync(), new GrainTimerCreationOptions(every, every) { KeepAlive = true });
    }

    /// <summary>Publishes what is gathered now: the timer's work, and the grain's last when it deactivates.</summary>
    public async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batches = _pending;
        _pending = new(StringComparer.Ordinal);
        foreach (var (tenantId, items) in batches)
        {
            try
            {
                await publish(tenantId, [.. items]);
            }
            catch (Exception ex)
            {
                var retained = items.Count <= MaxRetained;
                LogPublishFailed(ex, typeof(TItem).Name, tenantId, items.Count, retained);
                if (retained)
                {
                    Pending(tenantId).InsertRange(0, items);
                }
            }
        }
    }

    private List<TItem> Pending(string tenantId)
    {
        if (!_pending.TryGetValue(tenantId, out var list))
        {
            _pending[tenantId] = list = [];
        }

        return list;
    }

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: {Count} items of {Kind} not published (kept for the next try: {Retained})")]
    private partial void LogPublishFailed(Exception exception, string kind, string tenantId, int count, bool retained);
}
