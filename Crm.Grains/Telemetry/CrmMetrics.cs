using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Crm.Ingestion;

namespace Crm.Telemetry;

/// <summary>The product's own measurements, on the "Crm.Orleans" meter, next to what ASP.NET Core, Orleans and Npgsql measure.</summary>
public sealed class CrmMetrics
{
    public const string MeterName = "Crm.Orleans";

    private readonly Counter<long> _ingested;
    private readonly Histogram<long> _committed;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _parked;
    private readonly ConcurrentDictionary<int, DateTimeOffset> _oldestUnapplied = new();

    public CrmMetrics(IMeterFactory meters, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        _ingested = meter.CreateCounter<long>("crm.ingest.events", "{event}",
            "Events integrations sent through the tracking API and webhooks, by outcome: accepted, duplicate or rejected.");
        _committed = meter.CreateHistogram<long>("crm.ingest.commit.events", "{event}",
            "Events per ingest log transaction: how much group commit gathers.");
        _applied = meter.CreateCounter<long>("crm.ingest.applied", "{event}",
            "Ingested events the partition processors have applied to customers.");
        _parked = meter.CreateCounter<long>("crm.ingest.parked", "{event}",
            "Ingested events set aside because applying them failed every time; each is logged as an error.");
        meter.CreateObservableGauge("crm.ingest.lag", () => _oldestUnapplied.Select(p =>
                new Measurement<double>(Math.Max(0, (time.GetUtcNow() - p.Value).TotalSeconds), new KeyValuePair<string, object?>("partition", p.Key))),
            "s", "How long ago the oldest event a partition has not applied yet was received, per partition this silo processes; alert long before the dedupe window.");
    }

    /// <param name="oldest">When the oldest unapplied event was received; null when the partition is caught up.</param>
    public void Unapplied(int partition, DateTimeOffset? oldest)
    {
        if (oldest is { } at)
        {
            _oldestUnapplied[partition] = at;
        }
        else
        {
            _oldestUnapplied.TryRemove(partition, out _);
        }
    }

    public void Ingested(DebuggerOutcome outcome, int count)
    {
        if (count > 0)
        {
            _ingested.Add(count, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        }
    }

    public void Committed(int events) => _committed.Record(events);

    public void Applied(int events) => _applied.Add(events);

    public void Parked(int events)
    {
        if (events > 0)
        {
            _parked.Add(events);
        }
    }
}
