using System.Collections.Immutable;
using Crm.Security;
using Crm.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Imports;

[GenerateSerializer, Alias("crm.import-job-state")]
public sealed record ImportJobState
{
    [Id(0)] public ImportJob? Job { get; init; }
    [Id(1)] public ImportCommit? LastCommit { get; init; }
    [Id(3)] public bool ReadingDone { get; init; }
    [Id(4)] public string? Worker { get; init; }
    [Id(5)] public DateTimeOffset LeaseUntil { get; init; }
    /// <summary>Rows the processors could not apply (parked): part of the job's rejected count, beside those refused while reading.</summary>
    [Id(6)] public long RefusedWhileApplying { get; init; }
    /// <summary>By ingest log partition, the position of the last row counted.</summary>
    [Id(7)] public ImmutableDictionary<int, long> CountedUpTo { get; init; } = ImmutableDictionary<int, long>.Empty;
    /// <summary>Chunks of the "refused" file written so far: a report of refused rows is the next.</summary>
    [Id(8)] public int RefusedChunks { get; init; }
    /// <summary>Row numbers refused while applying and applied since (tried again once parked): no longer rejected. Few: parking is for rows that fail on their own.</summary>
    [Id(10)] public ImmutableHashSet<long> RecoveredRows { get; init; } = [];
}

/// <summary>
/// One import's record. What the processors report is written before they hear back, and only then do they move
/// their checkpoints: every row is counted once, and the job completes when every row read is counted. Progress
/// goes out on the tenant's imports stream at most every <see cref="PublishEvery"/>, and always when the status changes.
/// </summary>
public sealed partial class ImportJobGrain(
    [PersistentState("import-job", Constants.GrainStorage)] IPersistentState<ImportJobState> state,
    IImportFileStore files,
    TimeProvider time,
    ILogger<ImportJobGrain> logger) : Grain, IImportJobGrain
{
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    private IAsyncStream<ImportJob>? _stream;
    private DateTimeOffset _publishedAt;
    private IGrainTimer? _later;

    private string TenantId => this.GetPrimaryKeyString().Split('/', 2)[0];

    private Guid ImportId => Guid.Parse(this.GetPrimaryKeyString().Split('/', 2)[1]);

    private ImportJob? Job => state.State.Job;

    private ImportBlob RefusedFile => new(TenantId, ImportId, ImportBlob.Refused);

    /// <summary>A report of refused rows cut short by a crash left its chunk uncounted: it goes before any report is taken.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Rows are counted even after the job ends (those already in the log are applied all the same): any job may have one.
        if (Job is { Status: not ImportStatus.Queued })
        {
            await ClearAsync(state.State.RefusedChunks);
        }
    }

    public async Task<ImportJob> StartAsync(ImportSpec spec)
    {
        if (Job is { } existing)
        {
            return existing;
        }

        var job = new ImportJob(ImportId, TenantId, spec, ImportStatus.Queued, 0, 0, 0, 0, 0, 0, 0, null, null, null);
        await SaveAsync(new ImportJobState { Job = job });
        await Queue.AddAsync(this.GetPrimaryKeyString());
        await PublishAsync(force: true);
        return job;
    }

    public Task<ImportJob?> GetAsync() => Task.FromResult(Job);

    public Task<ImmutableHashSet<long>> GetRecoveredRowsAsync() => Task.FromResult(state.State.RecoveredRows);

    public async Task<ImportJob?> CancelAsync(Actor actor)
    {
        if (Job is not { IsFinished: false } job)
        {
            return Job;
        }

        LogCancelled(TenantId, ImportId, actor.Id);
        await FinishAsync(state.State, job with { Status = ImportStatus.Cancelled });
        return Job;
    }

    public async Task<ImportLease?> TakeAsync(string worker, TimeSpan lease)
    {
        if (Job is not { IsFinished: false } job || state.State.ReadingDone
            || (state.State.Worker != worker && state.State.LeaseUntil > time.GetUtcNow()))
        {
            return null;
        }

        await SaveAsync(state.State with
        {
            Worker = worker,
            LeaseUntil = time.GetUtcNow() + lease,
            Job = job with { Status = ImportStatus.Running, StartedAt = job.StartedAt ?? time.GetUtcNow() },
        });
        await PublishAsync(force: true);
        return new ImportLease(Job!, state.State.LastCommit);
    }

    public async Task<bool> RenewAsync(string worker, TimeSpan lease)
    {
        if (!Holds(worker))
        {
            return false;
        }

        await SaveAsync(state.State with { LeaseUntil = time.GetUtcNow() + lease });
        return true;
    }

    public async Task<bool> CommitAsync(string worker, ImportCommit commit, TimeSpan lease)
    {
        if (!Holds(worker))
        {
            return false;
        }

        await SaveAsync(Committed(commit) with { LeaseUntil = time.GetUtcNow() + lease });
        await PublishAsync();
        return true;
    }

    public async Task FinishReadingAsync(string worker, ImportCommit last)
    {
        if (!Holds(worker))
        {
            return;
        }

        var next = Committed(last) with { ReadingDone = true, Worker = null };
        if (next.Job!.Spec.DryRun || next.Job.Applied + next.Job.Rejected >= next.Job.RowsRead)
        {
            await FinishAsync(next, next.Job with { Status = ImportStatus.Completed });
            return;
        }

        await SaveAsync(next);
        await PublishAsync(force: true);
    }

    public async Task FailAsync(string worker, string reason)
    {
        if (Holds(worker))
        {
            LogFailed(TenantId, ImportId, reason);
            await FinishAsync(state.State, Job! with { Status = ImportStatus.Failed, Error = reason });
        }
    }

    public async Task ReportAppliedAsync(int partition, long upToPosition, IReadOnlyList<ImportRowOutcome> rows)
    {
        var countedUpTo = state.State.CountedUpTo.GetValueOrDefault(partition, long.MinValue);
        var counted = rows.Where(r => r.Position > countedUpTo && r.Position <= upToPosition).ToList();
        // Counted as refused before, applied now: it leaves the rejected count for what it did.
        var recovered = rows
            .Where(r => r.Recovered && r.Position <= countedUpTo && r.Result != ImportRowResult.Refused && !state.State.RecoveredRows.Contains(r.Row))
            .DistinctBy(r => r.Row)
            .ToList();
        if (Job is not { } job || counted.Count + recovered.Count == 0)
        {
            return;
        }

        long Count(params ImportRowResult[] results) => counted.Concat(recovered).Count(r => results.Contains(r.Result));
        var firstApplied = job.Applied == 0;
        var refused = counted.Count(r => r.Result == ImportRowResult.Refused);
        if (refused > 0)
        {
            // Written under the next chunk number before the state that counts it: a report made again overwrites it.
            await files.WriteChunkAsync(RefusedFile, state.State.RefusedChunks, RefusedRows.Lines(counted.Where(r => r.Result == ImportRowResult.Refused).OrderBy(r => r.Row)));
        }

        // Counted even after a cancellation: the rows already in the log are applied all the same.
        job = job with
        {
            Created = job.Created + Count(ImportRowResult.Created),
            Updated = job.Updated + Count(ImportRowResult.Updated),
            Unchanged = job.Unchanged + Count(ImportRowResult.Unchanged, ImportRowResult.AppliedBefore),
            Rejected = job.Rejected + refused - recovered.Count,
        };
        var next = state.State with
        {
            Job = job,
            RefusedWhileApplying = state.State.RefusedWhileApplying + refused - recovered.Count,
            RecoveredRows = state.State.RecoveredRows.Union(recovered.Select(r => r.Row)),
            RefusedChunks = state.State.RefusedChunks + (refused > 0 ? 1 : 0),
            CountedUpTo = state.State.CountedUpTo.SetItem(partition, Math.Max(countedUpTo, upToPosition)),
        };
        try
        {
            if (job.Status == ImportStatus.Running && next.ReadingDone && job.Applied + job.Rejected >= job.RowsRead)
            {
                await FinishAsync(next, job with { Status = ImportStatus.Completed });
                return;
            }

            await SaveAsync(next);
        }
        catch when (refused > 0)
        {
            // Not counted: the chunk written for it is not part of the report unless the report made again writes it anew.
            await ClearAsync(state.State.RefusedChunks);
            throw;
        }

        // The first rows applied go out at once: whoever started the import sees it take hold, however fast it then runs.
        await PublishAsync(force: firstApplied);
    }

    private async Task PublishLaterAsync(CancellationToken cancellationToken)
    {
        _later?.Dispose();
        _later = null;
        await PublishAsync(force: true);
    }

    private bool Holds(string worker) => Job is { IsFinished: false } && state.State.Worker == worker;

    private ImportJobState Committed(ImportCommit commit)
    {
        var job = Job!;
        return state.State with
        {
            LastCommit = commit,
            Job = job with
            {
                RowsRead = commit.NextRow,
                Logged = commit.Logged,
                Rejected = commit.Rejected + state.State.RefusedWhileApplying,
                BytesRead = commit.BytesRead,
                Created = job.Spec.DryRun ? commit.WouldCreate : job.Created,
                Updated = job.Spec.DryRun ? commit.WouldUpdate : job.Updated,
            },
        };
    }

    /// <summary>Writes the next state; should the write fail, a report made again counts its rows then (<see cref="PersistentStates.WriteAsync"/>).</summary>
    private Task SaveAsync(ImportJobState next) => state.WriteAsync(next);

    /// <summary>Empties a chunk of refused rows no stored state counts (left by a report whose state was not written).</summary>
    private async Task ClearAsync(int chunk)
    {
        try
        {
            await files.WriteChunkAsync(RefusedFile, chunk, ReadOnlyMemory<byte>.Empty);
        }
        catch (Exception ex)
        {
            LogCleanupFailed(ex, TenantId, ImportId);
        }
    }

    /// <param name="current">The state to finish from, with what led to the end.</param>
    private async Task FinishAsync(ImportJobState current, ImportJob job)
    {
        _later?.Dispose();
        _later = null;
        await SaveAsync(current with { Job = job with { FinishedAt = time.GetUtcNow() }, Worker = null });
        await Queue.RemoveAsync(this.GetPrimaryKeyString());
        try
        {
            // Nothing reads the upload again; the rejected rows stay for the report.
            await files.DeleteAsync(TenantId, ImportId, ImportBlob.Source);
        }
        catch (Exception ex)
        {
            LogCleanupFailed(ex, TenantId, ImportId);
        }

        await PublishAsync(force: true);
    }

    private IImportQueueGrain Queue => GrainFactory.GetGrain<IImportQueueGrain>(0);

    private async Task PublishAsync(bool force = false)
    {
        if (!force && time.GetUtcNow() - _publishedAt < PublishEvery)
        {
            _later ??= this.RegisterGrainTimer(PublishLaterAsync, new GrainTimerCreationOptions(PublishEvery, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            return;
        }

        _publishedAt = time.GetUtcNow();
        try
        {
            _stream ??= this.GetStreamProvider(Constants.StreamProvider).GetStream<ImportJob>(StreamId.Create(Constants.ImportStreamNamespace, TenantId));
            await _stream.OnNextAsync(Job!);
        }
        catch (Exception ex)
        {
            // Progress is a signal: the next change, or a read of the job, brings it back.
            LogPublishFailed(ex, TenantId, ImportId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: import {ImportId} cancelled by {UserId}")]
    private partial void LogCancelled(string tenantId, Guid importId, string userId);

    [LoggerMessage(LogLevel.Error, "Tenant {TenantId}: import {ImportId} failed: {Reason}")]
    private partial void LogFailed(string tenantId, Guid importId, string reason);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: the uploaded file of finished import {ImportId} could not be deleted")]
    private partial void LogCleanupFailed(Exception exception, string tenantId, Guid importId);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: progress of import {ImportId} not published")]
    private partial void LogPublishFailed(Exception exception, string tenantId, Guid importId);
}
