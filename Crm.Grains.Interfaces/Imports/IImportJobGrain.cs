using System.Collections.Immutable;
using Crm.Security;
using Orleans.Concurrency;

namespace Crm.Imports;

/// <summary>
/// One import, keyed "{tenant}/{importId}": the single record of its status and counters. A web node runs it under a
/// lease it renews with every commit; when that node dies, the lease runs out and another node goes on from the last
/// committed row. Changes are published on the tenant's imports stream.
/// </summary>
[Alias("crm.import-job-grain")]
public interface IImportJobGrain : IGrainWithStringKey
{
    [Alias("start")]
    Task<ImportJob> StartAsync(ImportSpec spec);

    [Alias("get"), ReadOnly]
    Task<ImportJob?> GetAsync();

    /// <returns>The job after the request; null when there is none.</returns>
    [Alias("cancel")]
    Task<ImportJob?> CancelAsync(Actor actor);

    /// <returns>The lease when the job is to run and nobody else holds it; else null.</returns>
    [Alias("take")]
    Task<ImportLease?> TakeAsync(string worker, TimeSpan lease);

    /// <summary>The worker is still at it: its lease runs on.</summary>
    /// <returns>False when the worker must stop: the job was cancelled or its lease went to another worker.</returns>
    [Alias("renew")]
    Task<bool> RenewAsync(string worker, TimeSpan lease);

    /// <returns>False when the worker must stop: the job was cancelled or its lease went to another worker.</returns>
    [Alias("commit")]
    Task<bool> CommitAsync(string worker, ImportCommit commit, TimeSpan lease);

    /// <summary>Every row was read: a dry run completes now, an import once its rows are applied.</summary>
    [Alias("finish-reading")]
    Task FinishReadingAsync(string worker, ImportCommit last);

    [Alias("fail")]
    Task FailAsync(string worker, string reason);

    /// <summary>
    /// What became of the import's rows in a partition of the ingest log up to a position, before which everything is
    /// applied. Counted once by position: a processor that applies rows again after a restart reports them again, and
    /// those at or before what its partition reported already are skipped, except a row reported refused before and
    /// applied since (<see cref="ImportRowOutcome.Recovered"/>: a parked row tried again): it moves, once, from the
    /// rejected count to what it did.
    /// </summary>
    [Alias("applied")]
    Task ReportAppliedAsync(int partition, long upToPosition, IReadOnlyList<ImportRowOutcome> rows);

    /// <summary>Rows refused while applying that were applied later: the rejected-rows report leaves them out.</summary>
    [Alias("recovered-rows")]
    Task<ImmutableHashSet<long>> GetRecoveredRowsAsync();
}

/// <summary>The imports not finished yet, across tenants, keyed 0: where a web node finds work to take over.</summary>
[Alias("crm.import-queue-grain")]
public interface IImportQueueGrain : IGrainWithIntegerKey
{
    [Alias("add")]
    Task AddAsync(string jobKey);

    [Alias("remove")]
    Task RemoveAsync(string jobKey);

    [Alias("list"), ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();
}
