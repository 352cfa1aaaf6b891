using Crm.Ingestion;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Crm.Web.Hosting;

/// <summary>
/// Degraded (a warning, still ready) when a partition falls behind or has parked events: long before its oldest
/// unapplied event could matter for the dedupe window, and whenever something needs an operator's look.
/// </summary>
internal sealed class IngestHealthCheck(IGrainFactory grains, IIngestLog log, IOptions<IngestOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var partitions = Enumerable.Range(0, log.Partitions).ToList();
        var oldest = await Task.WhenAll(partitions.Select(p =>
            grains.GetGrain<IIngestPartitionGrain>(p).GetOldestUnappliedAtAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken)));
        // One partition after another: a probe holds one connection, not one a partition.
        var parked = 0L;
        foreach (var partition in partitions)
        {
            parked += await log.ParkedCountAsync(partition, cancellationToken);
        }

        var now = time.GetUtcNow();
        var behind = partitions.Where(p => oldest[p] is { } at && now - at > options.Value.LagWarning).ToList();
        var data = new Dictionary<string, object>
        {
            ["maxLagSeconds"] = oldest.Max(at => at is { } t ? Math.Max(0, (now - t).TotalSeconds) : 0),
            ["parked"] = parked,
        };
        return behind.Count > 0 ? HealthCheckResult.Degraded($"Ingest partitions {string.Join(", ", behind)} are more than {options.Value.LagWarning} behind.", data: data)
            : parked > 0 ? HealthCheckResult.Degraded($"{parked} ingested events are parked: see the partitions' status and the error log.", data: data)
            : HealthCheckResult.Healthy("Ingest partitions are keeping up.", data);
    }
}
