using System.Collections.Concurrent;
using Crm.Ingestion;
using Crm.Storage;
using Crm.Telemetry;
using Microsoft.Extensions.Options;

namespace Crm.Web.Ingestion;

/// <summary>
/// Group commit: the events of many concurrent requests go to the ingest log in one transaction, and each request
/// is answered once its events are durable. Requests are gathered in turns by tenant, so one tenant's flood waits
/// behind the others' requests rather than the other way round. Work in flight is bounded, in all and per tenant:
/// past the bound new requests are refused (429) instead of queued, so memory stays bounded under any load. After
/// each commit the partitions that received events are told, without waiting.
/// </summary>
public sealed partial class IngestWriter : IAsyncDisposable
{
    private readonly IIngestLog _log;
    private readonly IGrainFactory _grains;
    private readonly CrmMetrics _metrics;
    private readonly IngestWriterOptions _options;
    private readonly ILogger<IngestWriter> _logger;
    private readonly GroupCommit<Request, bool[]> _commits;
    private readonly ConcurrentDictionary<string, int> _inFlightByTenant = new();
    private int _inFlight;

    public IngestWriter(IIngestLog log, IGrainFactory grains, CrmMetrics metrics, IOptions<IngestWriterOptions> options, ILogger<IngestWriter> logger)
    {
        (_log, _grains, _metrics, _options, _logger) = (log, grains, metrics, options.Value, logger);
        _commits = new(CommitAsync, _options.MaxEventsPerTransaction, _options.Writers, weight: r => r.Events.Count, fairBy: r => r.TenantId);
    }

    /// <returns>What became of each event; null when too much is in flight (nothing was stored).</returns>
    public async Task<IngestAppendResult?> TryAppendAsync(string tenantId, IReadOnlyList<IngestEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return new IngestAppendResult([], new Dictionary<int, string>());
        }

        if (!TryReserve(tenantId, events.Count))
        {
            return null;
        }

        var committed = _commits.CommitAsync(new Request(tenantId, events));
        _ = committed.ContinueWith(_ => Release(tenantId, events.Count), TaskScheduler.Default);
        try
        {
            return new IngestAppendResult(await committed.WaitAsync(cancellationToken), new Dictionary<int, string>());
        }
        catch (Exception ex) when (DatabaseErrors.IsRowError(ex))
        {
            // The database refused something in this request alone (the commit was split until it was): find what.
            return await AppendOneByOneAsync(tenantId, events, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _commits.DisposeAsync();

    private async Task<IngestAppendResult> AppendOneByOneAsync(string tenantId, IReadOnlyList<IngestEvent> events, CancellationToken cancellationToken)
    {
        var isNew = new bool[events.Count];
        var refused = new Dictionary<int, string>();
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                isNew[i] = (await _log.AppendAsync([new LoggedEvent(tenantId, events[i])], cancellationToken))[0];
                Wake([new LoggedEvent(tenantId, events[i])]);
            }
            catch (Exception ex) when (DatabaseErrors.IsRowError(ex))
            {
                LogRefused(ex, tenantId, events[i].MessageId);
                refused[i] = "The database cannot store this message.";
            }
        }

        return new IngestAppendResult(isNew, refused);
    }

    private bool TryReserve(string tenantId, int count)
    {
        if (Interlocked.Add(ref _inFlight, count) > _options.MaxEventsInFlight
            | _inFlightByTenant.AddOrUpdate(tenantId, count, (_, n) => n + count) > _options.TenantMaxEventsInFlight)
        {
            Release(tenantId, count);
            return false;
        }

        return true;
    }

    private void Release(string tenantId, int count)
    {
        Interlocked.Add(ref _inFlight, -count);
        _inFlightByTenant.AddOrUpdate(tenantId, 0, (_, n) => n - count);
    }

    private async Task<IReadOnlyList<bool[]>> CommitAsync(IReadOnlyList<Request> requests)
    {
        var events = requests.SelectMany(r => r.Events.Select(e => new LoggedEvent(r.TenantId, e))).ToList();
        bool[] stored;
        try
        {
            stored = await _log.AppendAsync(events);
            _metrics.Committed(events.Count);
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, events.Count);
            throw;
        }

        var results = new bool[requests.Count][];
        var offset = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = stored[offset..(offset + requests[i].Events.Count)];
            offset += requests[i].Events.Count;
        }

        Wake(events.Where((_, i) => stored[i]));
        return results;
    }

    /// <summary>One-way calls: the senders are answered now, and a lost call only waits for the processor's safety-net timer.</summary>
    private void Wake(IEnumerable<LoggedEvent> events)
    {
        foreach (var partition in events.Select(e => e.PartitionOf(_log.Partitions)).Distinct())
        {
            try
            {
                _grains.GetGrain<IIngestPartitionGrain>(partition).WakeAsync().Ignore();
            }
            catch (Exception ex)
            {
                LogWakeFailed(ex, partition);
            }
        }
    }

    private sealed record Request(string TenantId, IReadOnlyList<IngestEvent> Events);

    [LoggerMessage(LogLevel.Error, "Committing {Count} ingested events failed; their senders get an error and retry")]
    private partial void LogCommitFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Error, "Tenant {TenantId}: message {MessageId} refused by the database; its sender is told")]
    private partial void LogRefused(Exception exception, string tenantId, string messageId);

    [LoggerMessage(LogLevel.Warning, "Waking ingest partition {Partition} failed")]
    private partial void LogWakeFailed(Exception exception, int partition);
}

/// <param name="IsNew">For each event: true if it is new, false if the tenant had sent its message id before.</param>
/// <param name="Refused">Events the database would not store, by index, and why: nothing of them was stored.</param>
public sealed record IngestAppendResult(bool[] IsNew, IReadOnlyDictionary<int, string> Refused);

public sealed class IngestWriterOptions
{
    public const string Section = "Crm:Ingest";

    /// <summary>Events accepted but not yet committed, across all requests, beyond which requests get 429.</summary>
    public int MaxEventsInFlight { get; set; } = 20_000;

    /// <summary>The same, for one tenant's requests: what one tenant can take of <see cref="MaxEventsInFlight"/>.</summary>
    public int? MaxEventsInFlightPerTenant { get; set; }

    public int TenantMaxEventsInFlight => MaxEventsInFlightPerTenant ?? Math.Max(1, MaxEventsInFlight / 2);

    public int MaxEventsPerTransaction { get; set; } = 5_000;

    /// <summary>Transactions in flight at once: while one commits, the next is being gathered.</summary>
    public int Writers { get; set; } = 2;
}
