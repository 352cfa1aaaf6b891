using System.Threading.Channels;
using Crm.Ingestion;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Crm.Web.Ingestion;

/// <summary>
/// Group commit: the events of many concurrent requests go to the ingest log in one transaction, and each request
/// is answered once its events are durable. Work in flight is bounded: past <see cref="IngestWriterOptions.MaxEventsInFlight"/>
/// new requests are refused (429) instead of queued, so memory stays bounded under any load.
/// After each commit the partitions that received events are told on the "new work" stream.
/// </summary>
public sealed partial class IngestWriter(IIngestLog log, IClusterClient cluster, IOptions<IngestWriterOptions> options, ILogger<IngestWriter> logger)
    : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });
    private int _inFlight;

    /// <returns>For each event, whether it was new (false: its message id was seen before); null when saturated.</returns>
    public async Task<bool[]?> TryAppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        if (Interlocked.Add(ref _inFlight, events.Count) > options.Value.MaxEventsInFlight)
        {
            Interlocked.Add(ref _inFlight, -events.Count);
            return null;
        }

        var pending = new Pending(events, new TaskCompletionSource<bool[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Writer.TryWrite(pending);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => WriteLoopAsync(stoppingToken)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            var events = 0;
            while (events < options.Value.MaxEventsPerTransaction && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                events += pending.Events.Count;
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                Interlocked.Add(ref _inFlight, -events);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        bool[] stored;
        try
        {
            stored = await log.AppendAsync(batch.SelectMany(p => p.Events).ToList());
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, batch.Sum(p => p.Events.Count));
            batch.ForEach(p => p.Completion.TrySetException(ex));
            return;
        }

        var offset = 0;
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(stored[offset..(offset + pending.Events.Count)]);
            offset += pending.Events.Count;
        }

        await SignalAsync(batch.SelectMany(p => p.Events).Where((_, i) => stored[i]).Select(e => e.PartitionOf(log.Partitions)).Distinct());
    }

    private async Task SignalAsync(IEnumerable<int> partitions)
    {
        var provider = cluster.GetStreamProvider(Constants.StreamProvider);
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

    private sealed record Pending(IReadOnlyList<LoggedEvent> Events, TaskCompletionSource<bool[]> Completion);

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
