using Crm.Imports;
using Crm.Storage;
using Microsoft.Extensions.Logging;

namespace Crm.Ingestion;

/// <summary>
/// What a partition's imported rows did, gathered as they are applied and told to their imports before the
/// checkpoint moves over them: a report lost with the processor is made again when the rows are applied again, and
/// the import counts each row once, by position. Rows of batches still being applied wait for a later report.
/// </summary>
internal sealed partial class ImportRowOutcomes(ILogger logger)
{
    private readonly Dictionary<(string TenantId, Guid ImportId), List<ImportRowOutcome>> _rows = [];

    // The pump and a retry of parked events both report: one report at a time, so that neither takes the other's rows.
    private readonly SemaphoreSlim _reporting = new(1, 1);

    public void Add(string tenantId, IngestEvent row, IngestCheckpoint position, ImportRowResult result, string? reason = null)
    {
        var importId = row.SourceId;
        if (!_rows.TryGetValue((tenantId, importId), out var rows))
        {
            _rows[(tenantId, importId)] = rows = [];
        }

        rows.Add(new ImportRowOutcome(position.Position, result, ImportJob.RowOf(row.MessageId), reason));
    }

    /// <summary>Rows a retry of parked events applied: reported refused before, they now count as what they did.</summary>
    public void Recovered(IReadOnlyCollection<long> positions)
    {
        foreach (var rows in _rows.Values)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (positions.Contains(rows[i].Position) && rows[i].Result != ImportRowResult.Refused)
                {
                    rows[i] = rows[i] with { Recovered = true };
                }
            }
        }
    }

    /// <param name="upTo">A position before which everything of the partition is applied.</param>
    public async Task ReportAsync(IGrainFactory grains, TransientRetry transient, int partition, IngestCheckpoint upTo)
    {
        await _reporting.WaitAsync();
        try
        {
            await ReportEachAsync(grains, transient, partition, upTo);
        }
        finally
        {
            _reporting.Release();
        }
    }

    private async Task ReportEachAsync(IGrainFactory grains, TransientRetry transient, int partition, IngestCheckpoint upTo)
    {
        foreach (var ((tenantId, importId), rows) in _rows.ToList())
        {
            var taken = rows.Where(r => r.Position <= upTo.Position).ToList();
            // A row applied, then met again when its batch was taken apart one event at a time, counts once: the first
            // time; a row refused, then applied before the refusal was told, counts as applied.
            var done = taken.GroupBy(r => r.Position).Select(g => g.FirstOrDefault(r => r.Result != ImportRowResult.Refused, g.First())).ToList();
            if (done.Count == 0)
            {
                continue;
            }

            try
            {
                var job = grains.GetGrain<IImportJobGrain>(ImportJob.Key(tenantId, importId));
                await transient.RunAsync(() => job.ReportAppliedAsync(partition, upTo.Position, done));
            }
            catch (Exception ex) when (!TransientFailures.Is(ex))
            {
                // The import's counters wait for the next report; the events of every tenant go on being applied.
                LogReportFailed(ex, partition, tenantId, importId);
                continue;
            }

            // Only what was told: rows added while it was being told wait for the next report.
            var told = taken.ToHashSet();
            rows.RemoveAll(told.Contains);
            if (rows.Count == 0)
            {
                _rows.Remove((tenantId, importId));
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Ingest partition {Partition}: telling import {ImportId} of tenant {TenantId} what its rows did failed; told with the next batch")]
    private partial void LogReportFailed(Exception exception, int partition, string tenantId, Guid importId);
}
