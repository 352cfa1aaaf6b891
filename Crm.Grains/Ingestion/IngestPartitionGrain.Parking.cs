using Microsoft.Extensions.Logging;

namespace Crm.Ingestion;

/// <summary>
/// A batch that keeps failing is applied one event at a time, and an event that fails on its own is parked: its
/// position is kept, the partition moves on, and the event stays in the ingest log, to be tried again every minute
/// (or when an operator asks) until it applies or leaves the log with the dedupe window.
/// </summary>
public sealed partial class IngestPartitionGrain
{
    /// <summary>Failures of the same batch before its events are tried one by one.</summary>
    private const int IsolateAfterFailures = 3;

    /// <summary>Beyond this many parked events the partition stops instead, so that nothing slips past unnoticed.</summary>
    private const int MaxParked = 1000;

    private int _failures;

    public async Task<IReadOnlyList<ParkedEvent>> RetryParkedAsync()
    {
        if (state.State.Parked.IsEmpty)
        {
            return [];
        }

        var still = new List<ParkedEvent>();
        var applied = 0;
        foreach (var parked in state.State.Parked)
        {
            var rows = await log.ReadAsync(Partition, new IngestCheckpoint(parked.Position - 1), 1);
            if (rows.Count == 0 || rows[0].Position.Position != parked.Position)
            {
                LogParkedExpired(Partition, parked.Position, parked.TenantId, parked.MessageId);
                continue;
            }

            try
            {
                await ApplyAsync(rows);
                applied++;
                metrics.Applied(1);
                LogParkedApplied(Partition, parked.Position, parked.TenantId, parked.MessageId);
            }
            catch (Exception ex)
            {
                still.Add(parked with { Reason = ex.Message, Attempts = parked.Attempts + 1 });
            }
        }

        state.State = state.State with { Parked = [.. still], Applied = state.State.Applied + applied };
        await state.WriteStateAsync();
        return still;
    }

    private async Task<IReadOnlyList<ParkedEvent>> ApplyEachOrParkAsync(IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)> batch)
    {
        var parked = new List<ParkedEvent>();
        foreach (var row in batch)
        {
            try
            {
                await ApplyAsync([row]);
            }
            catch (Exception ex) when (state.State.Parked.Count + parked.Count < MaxParked)
            {
                LogParked(ex, Partition, row.Position.Position, row.Event.TenantId, row.Event.Event.MessageId);
                parked.Add(new ParkedEvent(row.Position.Position, row.Event.TenantId, row.Event.Event.MessageId, ex.Message, time.GetUtcNow(), Attempts: IsolateAfterFailures + 1));
            }
        }

        metrics.Parked(parked.Count);
        return parked;
    }

    [LoggerMessage(LogLevel.Error, "Ingest partition {Partition}: event at {Position} (tenant {TenantId}, message {MessageId}) fails on its own; parked, the partition moves on")]
    private partial void LogParked(Exception exception, int partition, long position, string tenantId, string messageId);

    [LoggerMessage(LogLevel.Information, "Ingest partition {Partition}: parked event at {Position} (tenant {TenantId}, message {MessageId}) applied")]
    private partial void LogParkedApplied(int partition, long position, string tenantId, string messageId);

    [LoggerMessage(LogLevel.Error, "Ingest partition {Partition}: parked event at {Position} (tenant {TenantId}, message {MessageId}) left the ingest log unapplied")]
    private partial void LogParkedExpired(int partition, long position, string tenantId, string messageId);
}
