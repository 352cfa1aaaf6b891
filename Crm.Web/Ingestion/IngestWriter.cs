using Crm.Ingestion;
using Crm.Storage;
using Crm.Telemetry;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Crm.Web.Ingestion;

/// <summary>
/// Group commit: the events of many concurrent requests go to the ingest log in one transaction, and each request
/// is answered once its events are durable. Work in flight is bounded: past <see cref="IngestWriterOptions.MaxEventsInFlight"/>
/// new requests are refused (429) instead of queued, so memory stays bounded under any load.
/// After each commit the partitions that received events are told on the "new work" stream.
/// </summary>
public sealed partial class IngestWriter : IAsyncDisposable
{
    private readonly IIngestLog _log;
    private readonly IClusterClient _cluster;
    private readonly CrmMetrics _metrics;
    private readonly IngestWriterOptions _options;
    private readonly ILogger<IngestWriter> _logger;
    private readonly GroupCommit<IReadOnlyList<LoggedEvent>, bool[]> _commits;
    private int _inFlight;

    public IngestWriter(IIngestLog log, IClusterClient cluster, CrmMetrics metrics, IOptions<IngestWriterOptions> options, ILogger<IngestWriter> logger)
    {
        (_log, _cluster, _metrics, _options, _logger) = (log, cluster, metrics, options.Value, logger);
        _commits = new(CommitAsync, _options.MaxEventsPerTransaction, _options.Writers, weight: events => events.Count);
    }

    /// <returns>For each event, whether it was new (false: its message id was seen before); null when saturated.</returns>
    public async Task<bool[]?> TryAppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        if (Interlocked.Add(ref _inFlight, events.Count) > _options.MaxEventsInFlight)
        {
            Interlocked.Add(ref _inFlight, -events.Count);
            return null;
        }

        var committed = _commits.CommitAsync(events);
        _ = committed.ContinueWith(_ => Interlocked.Add(ref _inFlight, -events.Count), TaskScheduler.Default);
        return await committed.WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _commits.DisposeAsync();

    private async Task<IReadOnlyList<bool[]>> CommitAsync(IReadOnlyList<IReadOnlyList<LoggedEvent>> requests)
    {
        var events = requests.SelectMany(r => r).ToList();
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
            results[i] = stored[offset..(offset + requests[i].Count)];
            offset += requests[i].Count;
        }

        // The senders are answered now; the signal follows, and failing, only delays processing (see SignalAsync).
        _ = SignalAsync(events.Where((_, i) => stored[i]).Select(e => e.PartitionOf(_log.Partitions)).Distinct().ToList());
        return results;
    }

    private async Task SignalAsync(IEnumerable<int> partitions)
    {
        var provider = _cluster.GetStreamProvider(Constants.StreamProvider);
        foreach (var partition in partitions)
        {
            try
            {
                await provider.GetStream<int>(StreamId.Create(Constants.IngestWorkStreamNamespace, partition)).OnNextAsync(partition);
            }
            catch (Exception ex)
            {
                // The events are durable; the processor's safety-net timer finds them without the signal.
                LogSignalFailed(ex, partition);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Committing {Count} ingested events failed; their senders get an error and retry")]
    private partial void LogCommitFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Warning, "Signalling ingest partition {Partition} failed")]
    private partial void LogSignalFailed(Exception exception, int partition);
}

public sealed class IngestWriterOptions
{
    public const string Section = "Crm:Ingest";

    /// <summary>Events accepted but not yet committed, across all requests, beyond which requests get 429.</summary>
    public int MaxEventsInFlight { get; set; } = 20_000;

    public int MaxEventsPerTransaction { get; set; } = 5_000;

    /// <summary>Transactions in flight at once: while one commits, the next is being gathered.</summary>
    public int Writers { get; set; } = 2;
}
