using Crm.Merges;
using Crm.Security;
using Crm.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Duplicates;

/// <summary>
/// A tenant's duplicate detection. Customers that change are checked within a few seconds; a scan checks every
/// customer once, a page at a time (resuming where it stopped after a restart), so memory stays bounded however many
/// customers a tenant has. Both find candidates by blocking key in the store and score them here, under the tenant's
/// rules; with automatic merge on, pairs that share an exact identity are merged, the older customer surviving.
/// </summary>
/// <remarks>
/// Changes are signals and a crash loses some: the customers waiting to be checked are written with the state every
/// <see cref="SavePendingEvery"/> while there are at most <see cref="MaxSavedPending"/>, and every customer is
/// checked again every <see cref="RescanEvery"/>, which finds whatever a lost signal (or a queue that overflowed) missed.
/// </remarks>
public sealed partial class DuplicatesGrain(
    [PersistentState("duplicates", Constants.GrainStorage)] IPersistentState<DuplicatesState> state,
    IDuplicateStore store,
    TimeProvider time,
    ILogger<DuplicatesGrain> logger) : Grain, IDuplicatesGrain, IRemindable
{
    public static readonly TimeSpan RescanEvery = TimeSpan.FromDays(1);
    public static readonly TimeSpan SavePendingEvery = TimeSpan.FromSeconds(10);
    public const int MaxSavedPending = 10_000;
    private const string RescanReminder = "rescan";

    private const int ChangesPerRound = 500;

    /// <summary>Changed customers waiting at most; beyond, a scan finds what they would have.</summary>
    private const int MaxPending = 200_000;

    private static readonly Actor AutoMergeActor = new("duplicate-detection", "Duplicate detection");
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(1);

    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private IGrainTimer? _work;
    private int _failures;
    private DateTimeOffset _resumeAt;
    private DateTimeOffset _pendingSavedAt;

    private string TenantId => this.GetPrimaryKeyString();

    private DuplicatesState State => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _pending.UnionWith(State.Pending);
        if (State.Status == DuplicateScanStatus.Running || _pending.Count > 0)
        {
            Work();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_pending.Count > 0 || !State.Pending.IsEmpty)
        {
            state.State = State with { Pending = [.. _pending] };
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<DuplicateSettings> GetSettingsAsync() => Task.FromResult(State.Settings);

    public async Task SaveSettingsAsync(DuplicateSettings settings)
    {
        await StartScanAsync(settings);
    }

    public Task<DuplicateScan> GetScanAsync() => Task.FromResult(Scan());

    public async Task<DuplicateScan> RescanAsync()
    {
        if (State.Status != DuplicateScanStatus.Running)
        {
            await StartScanAsync(State.Settings);
        }

        return Scan();
    }

    public async Task ChangedAsync(string[] customerIds)
    {
        if (State.Status == DuplicateScanStatus.NeverRun)
        {
            await StartScanAsync(State.Settings);
        }

        if (_pending.Count + customerIds.Length > MaxPending)
        {
            _pending.Clear();
            if (State.Status == DuplicateScanStatus.Running)
            {
                // Starting over would lose what the scan has checked, and a big import would keep it starting over.
                state.State = State with { ScanAgain = true };
                await state.WriteStateAsync();
            }
            else
            {
                await StartScanAsync(State.Settings);
            }

            return;
        }

        _pending.UnionWith(customerIds);
        Work();
        if (time.GetUtcNow() - _pendingSavedAt >= SavePendingEvery && _pending.Count <= MaxSavedPending)
        {
            _pendingSavedAt = time.GetUtcNow();
            await state.WriteAsync(State with { Pending = [.. _pending] });
        }
    }

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        if (State.Status != DuplicateScanStatus.Running)
        {
            await StartScanAsync(State.Settings);
        }
    }

    private async Task StartScanAsync(DuplicateSettings settings)
    {
        state.State = State with
        {
            Settings = settings,
            Status = DuplicateScanStatus.Running,
            ScannedTo = null,
            Checked = 0,
            Total = await store.CountCustomersAsync(TenantId),
            StartedAt = time.GetUtcNow(),
            FinishedAt = null,
            ScanAgain = false,
        };
        await state.WriteStateAsync();
        if (await this.GetReminder(RescanReminder) is null)
        {
            await this.RegisterOrUpdateReminder(RescanReminder, RescanEvery, RescanEvery);
        }

        LogScanStarted(TenantId, State.Total);
        Work();
    }

    private void Work() =>
        _work ??= this.RegisterGrainTimer(WorkAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Round) { KeepAlive = true });

    /// <summary>One round; one that fails (the database away) is tried again later and later, up to a minute apart.</summary>
    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < _resumeAt)
        {
            return;
        }

        try
        {
            await CheckRoundAsync(cancellationToken);
            _failures = 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failures++;
            var wait = TimeSpan.FromTicks(Math.Min(MaxBackOff.Ticks, Round.Ticks << Math.Min(_failures, 20)));
            _resumeAt = time.GetUtcNow() + wait;
            LogRoundFailed(ex, TenantId, _failures, wait);
        }
    }

    private async Task CheckRoundAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count > 0)
        {
            var ids = _pending.Take(ChangesPerRound).ToList();
            await CheckAsync(ids, laterOnly: false, cancellationToken);
            _pending.ExceptWith(ids);
            if (State.Status != DuplicateScanStatus.Running)
            {
                // The queue may have moved: pages showing it read it again.
                await PublishAsync();
            }
        }

        if (State.Status == DuplicateScanStatus.Running)
        {
            var ids = await store.CustomerIdsAsync(TenantId, State.ScannedTo, DuplicateCheck.ScanPerRound, cancellationToken);
            if (ids.Count > 0)
            {
                await CheckAsync(ids, laterOnly: true, cancellationToken);
            }

            var finished = ids.Count < DuplicateCheck.ScanPerRound;
            state.State = State with
            {
                ScannedTo = ids.Count > 0 ? ids[^1] : State.ScannedTo,
                Checked = State.Checked + ids.Count,
                Total = Math.Max(State.Total, State.Checked + ids.Count),
                Status = finished ? DuplicateScanStatus.Completed : DuplicateScanStatus.Running,
                FinishedAt = finished ? time.GetUtcNow() : null,
            };
            await state.WriteStateAsync(cancellationToken);
            await PublishAsync();
            if (finished)
            {
                LogScanFinished(TenantId, State.Checked);
                if (State.ScanAgain)
                {
                    await StartScanAsync(State.Settings);
                }
            }
        }

        if (_pending.Count == 0 && State.Status != DuplicateScanStatus.Running)
        {
            _work?.Dispose();
            _work = null;
        }
    }

    private async Task CheckAsync(IReadOnlyCollection<string> ids, bool laterOnly, CancellationToken cancellationToken)
    {
        var found = await DuplicateCheck.RunAsync(store, TenantId, ids, laterOnly, State.Settings, time.GetUtcNow(), cancellationToken);
        if (State.Settings.AutoMerge)
        {
            foreach (var (pair, one, other) in found.Where(f => f.Pair.ExactIdentity))
            {
                await AutoMergeAsync(pair, one, other);
            }
        }
    }

    /// <summary>The older customer survives; one already merged (by an earlier pair in this round) is left alone.</summary>
    private async Task AutoMergeAsync(DuplicatePair pair, MatchCandidate one, MatchCandidate other)
    {
        var (survivor, merged) = (one.CreatedAt, one.CustomerId).CompareTo((other.CreatedAt, other.CustomerId)) <= 0 ? (one, other) : (other, one);
        try
        {
            var request = new MergeRequest(survivor.CustomerId, [merged.CustomerId], System.Collections.Immutable.ImmutableDictionary<string, string>.Empty);
            var record = await GrainFactory.GetGrain<IMergeGrain>(MergeKey.Of(TenantId, Guid.CreateVersion7())).MergeAsync(request, AutoMergeActor);
            LogAutoMerged(TenantId, merged.CustomerId, survivor.CustomerId, record.Id, pair.Score);
        }
        catch (Exception ex) when (ex is MergeRefusedException or Customers.CustomerNotFoundException or Customers.CustomerMergedException)
        {
            LogAutoMergeSkipped(TenantId, merged.CustomerId, survivor.CustomerId, ex.Message);
        }
    }

    private DuplicateScan Scan() =>
        new(TenantId, State.Status, State.Checked, State.Total, State.StartedAt, State.FinishedAt, _pending.Count);

    private Task PublishAsync() =>
        this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<DuplicateScan>(StreamId.Create(Constants.DuplicateScanStreamNamespace, TenantId))
            .OnNextAsync(Scan());

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: duplicate scan of {Total} customers started")]
    private partial void LogScanStarted(string tenantId, long total);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: a round of duplicate checks failed ({Failures} in a row); trying again in {Wait}")]
    private partial void LogRoundFailed(Exception exception, string tenantId, int failures, TimeSpan wait);

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: duplicate scan finished after {Checked} customers")]
    private partial void LogScanFinished(string tenantId, long @checked);

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: customer {Merged} merged into {Survivor} automatically (merge {MergeId}, score {Score})")]
    private partial void LogAutoMerged(string tenantId, string merged, string survivor, Guid mergeId, double score);

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: customers {Merged} and {Survivor} not merged automatically: {Reason}")]
    private partial void LogAutoMergeSkipped(string tenantId, string merged, string survivor, string reason);
}
