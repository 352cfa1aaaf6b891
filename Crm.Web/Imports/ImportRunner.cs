using System.Collections.Concurrent;
using Crm.Imports;
using Crm.Ingestion;
using Crm.Storage;
using Crm.Web.Ingestion;
using Crm.Web.Timeline;
using Microsoft.Extensions.Options;

namespace Crm.Web.Imports;

/// <summary>
/// Runs imports on this node: the ones started here at once, and any other node's left without a commit for a whole
/// lease (that node died), from their last committed row. Rows go through the ingest log like every other write from
/// outside, so they are applied once, in order per person, and watchers see them arrive; an import keeps at most
/// <see cref="ImportOptions.MaxRowsAhead"/> rows unapplied, so that it takes a bounded share of the processors.
/// </summary>
public sealed partial class ImportRunner(
    IGrainFactory grains,
    IImportFileStore files,
    IngestWriter writer,
    IIdentityIndex identities,
    Interactions interactions,
    SourceSecrets secrets,
    Customers.CustomerProfiles profiles,
    IOptions<ImportOptions> options,
    TimeProvider time,
    ILogger<ImportRunner> logger) : BackgroundService
{
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(100);

    private readonly string _worker = $"{Environment.MachineName}/{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly SemaphoreSlim _look = new(0);

    private ImportOptions Options => options.Value;

    /// <summary>An import was started here: look for work now rather than at the next poll.</summary>
    public void Started() => _look.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var key in await grains.GetGrain<IImportQueueGrain>(0).ListAsync())
                {
                    if (_running.Count >= Options.MaxRunningPerNode)
                    {
                        break;
                    }

                    await TryStartAsync(key, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLookFailed(ex);
            }

            try
            {
                await _look.WaitAsync(Options.PollEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_running.Values);
    }

    private async Task TryStartAsync(string key, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(key, started.Task))
        {
            return;
        }

        try
        {
            if (await grains.GetGrain<IImportJobGrain>(key).TakeAsync(_worker, Options.Lease) is { } lease)
            {
                _ = Task.Run(() => RunLeasedAsync(key, lease, stoppingToken), CancellationToken.None)
                    .ContinueWith(_ => { _running.TryRemove(key, out Task? _); started.TrySetResult(); }, TaskScheduler.Default);
                return;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // This job's grain is away; the others are still looked at.
            LogLookFailed(ex);
        }

        _running.TryRemove(key, out Task? _);
        started.TrySetResult();
    }

    /// <summary>Runs the import while renewing its lease a few times a lease, so that skipping or waiting never lets it lapse; a lost lease stops the run.</summary>
    private async Task RunLeasedAsync(string key, ImportLease lease, CancellationToken stoppingToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var grain = grains.GetGrain<IImportJobGrain>(key);
        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Options.Lease / 3, time);
            try
            {
                while (await timer.WaitForNextTickAsync(run.Token))
                {
                    if (!await grain.RenewAsync(_worker, Options.Lease))
                    {
                        await run.CancelAsync();
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A renewal that fails leaves the lease to run out: another node takes the job over.
                LogRunFailed(ex, lease.Job.TenantId, lease.Job.Id, -1);
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }, CancellationToken.None);
        try
        {
            await RunAsync(key, lease, run.Token);
        }
        finally
        {
            await run.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Reads the file from the row after the last commit, a commit at a time, until it ends, is cancelled, or the lease is lost.</summary>
    private async Task RunAsync(string key, ImportLease lease, CancellationToken cancellationToken)
    {
        var job = lease.Job;
        var grain = grains.GetGrain<IImportJobGrain>(key);
        var commit = lease.Last ?? new ImportCommit(-1, 0, 0, 0, 0);
        try
        {
            var rows = new ImportedRows(job.Id, job.Spec, interactions, await profiles.FieldsAsync(job.TenantId));
            await using var file = job.Spec.DatabaseId is null ? files.OpenRead(new ImportBlob(job.TenantId, job.Id, ImportBlob.Source)) : null;
            var events = new List<(long Row, IngestEvent Event)>();
            var rejected = new List<RejectedCell>();
            var lastRow = commit.NextRow;
            await foreach (var row in await RowsAsync(job, file, cancellationToken))
            {
                if (row.Number <= commit.NextRow)
                {
                    continue;
                }

                lastRow = row.Number;
                var (ingested, problems) = rows.Read(row, time.GetUtcNow());
                if (ingested is not null)
                {
                    events.Add((row.Number, ingested));
                }
                else
                {
                    rejected.AddRange(problems);
                }

                if (row.Number - commit.NextRow >= Options.RowsPerCommit)
                {
                    commit = await CommitAsync(job, grain, commit, row.Number, file?.Position ?? row.Number, events, rejected, cancellationToken);
                    if (commit.Chunk < 0)
                    {
                        return;
                    }
                }
            }

            var last = await PrepareAsync(job, grain, commit, lastRow, file?.Position ?? lastRow, events, rejected, cancellationToken);
            await grain.FinishReadingAsync(_worker, last);
        }
        catch (ImportFileException ex)
        {
            await grain.FailAsync(_worker, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && TransientFailures.Is(ex))
        {
            // The database is away, say: the lease runs out and this node or another takes the job up again from its last commit.
            LogRunFailed(ex, job.TenantId, job.Id, commit.NextRow);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not the database, not the file's format: running it again would fail the same way, on every node.
            LogRunFailed(ex, job.TenantId, job.Id, commit.NextRow);
            await grain.FailAsync(_worker, $"The import stopped at row {commit.NextRow + 1}: {ex.Message}");
        }
    }

    /// <summary>The rows of the uploaded file, or of the query on the registered database.</summary>
    private async Task<IAsyncEnumerable<ImportRow>> RowsAsync(ImportJob job, Stream? file, CancellationToken cancellationToken)
    {
        if (job.Spec.DatabaseId is { } databaseId)
        {
            var database = await ImportDatabaseEndpoints.FindAsync(grains, secrets, job.TenantId, databaseId)
                ?? throw new ImportFileException("The database this import reads was removed.");
            return DatabaseRows.ReadAsync(database.ConnectionString, job.Spec.Query!, cancellationToken);
        }

        System.Text.Encoding encoding;
        await using (var sample = files.OpenRead(new ImportBlob(job.TenantId, job.Id, ImportBlob.Source)))
        {
            encoding = await ImportRows.DetectEncodingAsync(sample, cancellationToken);
        }

        return ImportRows.ReadAsync(file!, encoding, job.Spec.Format, cancellationToken);
    }

    /// <returns>The commit made; one with chunk -1 when the worker must stop.</returns>
    private async Task<ImportCommit> CommitAsync(ImportJob job, IImportJobGrain grain, ImportCommit previous, long nextRow, long bytesRead,
        List<(long Row, IngestEvent Event)> events, List<RejectedCell> rejected, CancellationToken cancellationToken)
    {
        var commit = await PrepareAsync(job, grain, previous, nextRow, bytesRead, events, rejected, cancellationToken);
        return await grain.CommitAsync(_worker, commit, Options.Lease) ? commit : commit with { Chunk = -1 };
    }

    /// <summary>Puts the rows in the log (or, in a dry run, looks up whom they would change) and stores their rejects under the next chunk.</summary>
    private async Task<ImportCommit> PrepareAsync(ImportJob job, IImportJobGrain grain, ImportCommit previous, long nextRow, long bytesRead,
        List<(long Row, IngestEvent Event)> events, List<RejectedCell> rejected, CancellationToken cancellationToken)
    {
        var chunk = previous.Chunk + 1;
        var (wouldCreate, wouldUpdate) = (previous.WouldCreate, previous.WouldUpdate);
        var logged = events.Count;
        if (job.Spec.DryRun)
        {
            var existing = await ExistingAsync(job.TenantId, events, cancellationToken);
            wouldUpdate += existing;
            wouldCreate += events.Count - existing;
        }
        else if (events.Count > 0)
        {
            // Room behind the processors first; and if the import was cancelled meanwhile, nothing more goes into the log.
            if (!await WaitForProcessorsAsync(grain, previous.Rejected, cancellationToken))
            {
                throw new OperationCanceledException("The import was cancelled.");
            }

            var result = await AppendAsync(job.TenantId, [.. events.Select(e => e.Event)], cancellationToken);
            foreach (var (index, reason) in result.Refused)
            {
                rejected.Add(new RejectedCell(events[index].Row, "", "", reason));
            }

            logged -= result.Refused.Count;
        }

        var refusedRows = rejected.Select(r => r.Row).Distinct().Count();
        if (rejected.Count > 0)
        {
            await files.WriteChunkAsync(new ImportBlob(job.TenantId, job.Id, ImportBlob.Rejected), chunk, RejectedRowsFile.Lines(rejected.OrderBy(r => r.Row)), cancellationToken);
        }

        var commit = new ImportCommit(chunk, nextRow, previous.Logged + (job.Spec.DryRun ? 0 : logged), previous.Rejected + refusedRows, bytesRead, wouldCreate, wouldUpdate);
        events.Clear();
        rejected.Clear();
        return commit;
    }

    private async Task<IngestAppendResult> AppendAsync(string tenantId, IReadOnlyList<IngestEvent> events, CancellationToken cancellationToken)
    {
        // Too much in flight (live traffic first): wait for room, as any sender told 429 would.
        while (true)
        {
            if (await writer.TryAppendAsync(tenantId, events, cancellationToken) is { } result)
            {
                return result;
            }

            await Task.Delay(Busy, time, cancellationToken);
        }
    }

    private async Task<int> ExistingAsync(string tenantId, List<(long Row, IngestEvent Event)> events, CancellationToken cancellationToken)
    {
        var keys = events.Select(e => new TenantIdentity(tenantId, e.Event.Identities[0])).ToHashSet();
        var owners = keys.Count == 0 ? new Dictionary<TenantIdentity, IdentityOwner>() : await identities.FindAsync(keys, cancellationToken);
        return events.Count(e => owners.ContainsKey(new TenantIdentity(tenantId, e.Event.Identities[0])));
    }

    /// <summary>Waits until the import has at most <see cref="ImportOptions.MaxRowsAhead"/> rows in the log not yet applied.</summary>
    /// <returns>False when the job was cancelled meanwhile.</returns>
    private async Task<bool> WaitForProcessorsAsync(IImportJobGrain grain, long rejectedWhileReading, CancellationToken cancellationToken)
    {
        while (await grain.GetAsync() is { } job)
        {
            if (job.IsFinished)
            {
                return false;
            }

            // Rows the processors parked are done with, like the applied ones.
            var refusedWhileApplying = job.Rejected - rejectedWhileReading;
            if (job.Logged - job.Applied - refusedWhileApplying <= Options.MaxRowsAhead)
            {
                return true;
            }

            await Task.Delay(Busy, time, cancellationToken);
        }

        return false;
    }

    [LoggerMessage(LogLevel.Warning, "Looking for imports to run failed; looking again shortly")]
    private partial void LogLookFailed(Exception exception);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: import {ImportId} stopped after row {Row}; it goes on from there once its lease runs out")]
    private partial void LogRunFailed(Exception exception, string tenantId, Guid importId, long row);
}
