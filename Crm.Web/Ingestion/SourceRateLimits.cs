using System.Threading.RateLimiting;
using Crm.Ingestion;
using Microsoft.Extensions.Options;

namespace Crm.Web.Ingestion;

/// <summary>
/// How many events each source (each write key, each webhook sender) may send: a token bucket per source, counted
/// in events, so that one integration's flood is answered 429 with Retry-After instead of taking the ingest path
/// from every other tenant. Each node counts on its own; behind a load balancer the limit is per node.
/// </summary>
public sealed class SourceRateLimits : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<Guid>? _limiter;
    private readonly int _burst;

    public SourceRateLimits(IOptions<SourceRateLimitOptions> options)
    {
        var limits = options.Value;
        if (limits.EventsPerSecond <= 0)
        {
            return;
        }

        _burst = Math.Max(limits.Burst, limits.EventsPerSecond);
        var perTenth = Math.Max(1, limits.EventsPerSecond / 10);
        _limiter = PartitionedRateLimiter.Create<Guid, Guid>(sourceId => RateLimitPartition.GetTokenBucketLimiter(sourceId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = _burst,
            TokensPerPeriod = perTenth,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <returns>Null when the source may send the events now; else how long to wait.</returns>
    public TimeSpan? TryAcquire(Source source, int events)
    {
        if (_limiter is null || events == 0)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(source.Id, Math.Min(events, _burst));
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter
            : TimeSpan.FromSeconds(1);
    }

    public ValueTask DisposeAsync() => _limiter?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public sealed class SourceRateLimitOptions
{
    public const string Section = "Crm:Ingest:RateLimit";

    /// <summary>Events a second one source may send, sustained; 0 turns the limit off.</summary>
    public int EventsPerSecond { get; set; } = 5_000;

    /// <summary>Events one source may send at once after being quiet (the bucket's size).</summary>
    public int Burst { get; set; } = 20_000;
}
