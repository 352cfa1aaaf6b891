using System.Collections.Immutable;
using Crm.Customers;
using Crm.Storage;
using Crm.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Registry;

namespace Crm.Ingestion;

[GenerateSerializer, Alias("crm.ingest-partition-state")]
public sealed record IngestPartitionState
{
    [Id(0)] public IngestCheckpoint Checkpoint { get; init; } = IngestCheckpoint.Start;
    [Id(1)] public long Applied { get; init; }
    [Id(2)] public DateTimeOffset? LastAppliedAt { get; init; }
    [Id(3)] public DateTimeOffset? LastPrunedAt { get; init; }
    /// <summary>Where parked events were kept before the log kept them: copied there, and left to shrink as they are unparked.</summary>
    [Id(4)] public ImmutableList<ParkedEvent> Parked { get; init; } = [];
}

/// <summary>
/// Applies one ingest log partition, in order, from its checkpoint. Woken by web nodes after each commit, by a
/// reminder that keeps it alive across restarts, and by a slow timer in case a wake-up was lost.
/// <para>
/// A pipeline: while earlier batches are being applied, the next ones are read and their identities resolved (one
/// index lookup a batch). Each batch's events go to their customers one call per customer, a customer's events in
/// the order received, and batch after batch in order for that customer; the checkpoint moves over the batches
/// applied so far from the oldest, so everything before it was applied. Applying is idempotent (message ids), so a
/// redelivery after a crash changes nothing.
/// </para>
/// <para>
/// A failure that is no fault of the events (the database is down) is waited out and tried again, for as long as it
/// lasts; nothing is set aside for it. An event that fails on its own, again and again, is parked (see the status)
/// so that it cannot hold up the partition, and tried again every minute.
/// </para>
/// </summary>
public sealed partial class IngestPartitionGrain(
    [PersistentState("ingest-partition", Constants.GrainStorage)] IPersistentState<IngestPartitionState> state,
    IIngestLog log,
    IIdentityIndex identities,
    IGrainFactory grains,
    IOptions<IngestOptions> options,
    ResiliencePipelineProvider<string> pipelines,
    CrmMetrics metrics,
    TimeProvider time,
    ILogger<IngestPartitionGrain> logger) : Grain, IIngestPartitionGrain, IRemindable
{
    /// <summary>Tries of an event that fails on its own before it is parked.</summary>
    private const int AttemptsBeforeParking = 3;

    /// <summary>Merged or deleted customers events may pass through before something is wrong (a cycle).</summary>
    private const int MaxHops = 16;

    /// <summary>Parked events tried again, and listed in the status, at a time.</summary>
    private const int ParkedPage = 500;

    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(1);

    private readonly CustomerGrainReferences _customers = new(grains);
    private readonly IdentityResolver _resolver = new(identities, options.Value.IdentityCacheSize);
    private readonly TransientRetry _transient = new(pipelines.GetPipeline(TransientFailures.RetryPipeline));
    private readonly Queue<Batch> _inFlight = new();
    private readonly Dictionary<CustomerKey, Task> _customerTails = [];
    private readonly SemaphoreSlim _stateWrites = new(1, 1);
    private readonly Dictionary<string, List<Analytics.Activity>> _activities = [];
    private readonly ImportRowOutcomes _imports = new(logger);
    private IngestCheckpoint _readUpTo;
    private long _retryAfter = long.MinValue;
    private Task _pump = Task.CompletedTask;
    private bool _woken;
    private DateTimeOffset _checkpointWrittenAt;

    private int Partition => (int)this.GetPrimaryKeyLong();

    private IngestOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Kept in the state too until each is unparked, so that a silo of the version before, which reads them there,
        // keeps them from pruning; recorded in the log again at each activation, which changes nothing.
        await log.ParkAsync(Partition, state.State.Parked, cancellationToken);

        _readUpTo = state.State.Checkpoint;
        await this.RegisterOrUpdateReminder("keep-alive", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        this.RegisterGrainTimer(_ => WakeAsync(), new GrainTimerCreationOptions(SafetyNet, SafetyNet) { KeepAlive = true, Interleave = true });
    }

    /// <summary>What was applied since the last written checkpoint is written now, so that the next activation does not apply it again.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await UpdateStateAsync(s => s);
        }
        catch (Exception ex)
        {
            // The next activation starts from the checkpoint written before: it applies those events again, which changes nothing.
            LogPumpFailed(ex, Partition, state.State.Checkpoint.Position);
        }
    }

    public Task WakeAsync()
    {
        _woken = true;
        if (_pump.IsCompleted)
        {
            // Not awaited: the pump runs on this activation's scheduler beside the calls it receives.
            _pump = PumpAsync();
        }

        return Task.CompletedTask;
    }

    public Task ForgetAsync(string tenantId, ImmutableArray<Identity> forgotten)
    {
        _resolver.Forget(tenantId, forgotten);
        return Task.CompletedTask;
    }

    public async Task<IngestPartitionStatus> GetStatusAsync()
    {
        var parked = await log.ParkedAsync(Partition, long.MinValue, ParkedPage);
        var parkedCount = parked.Count < ParkedPage ? parked.Count : await log.ParkedCountAsync(Partition);
        return new IngestPartitionStatus(Partition, state.State.Checkpoint, state.State.Applied, state.State.LastAppliedAt, parked,
            OldestUnappliedAt, parkedCount);
    }

    public Task<DateTimeOffset?> GetOldestUnappliedAtAsync() => Task.FromResult(OldestUnappliedAt);

    private DateTimeOffset? OldestUnappliedAt => _inFlight.TryPeek(out var oldest) ? oldest.OldestReceivedAt : null;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await RetryParkedAsync();
        await WakeAsync();
        if (state.State.LastPrunedAt is not { } pruned || time.GetUtcNow() - pruned > TimeSpan.FromHours(1))
        {
            var current = state.State;
            var removed = await log.PruneAsync(Partition, time.GetUtcNow() - Options.DedupeWindow, current.Checkpoint);
            await UpdateStateAsync(s => s with { LastPrunedAt = time.GetUtcNow() });
            LogPruned(Partition, removed);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await PumpBatchesAsync();
        }
        catch (Exception ex)
        {
            // Whatever was read after the checkpoint is read again, whether it was in flight or already taken off the
            // queue: its parked events are then recorded, and applying it again changes nothing. Applies still running
            // stay each customer's tail, so what is applied again comes after them. The safety-net timer restarts the pump.
            _inFlight.Clear();
            _readUpTo = state.State.Checkpoint;
            LogPumpFailed(ex, Partition, state.State.Checkpoint.Position);
        }
    }

    private async Task PumpBatchesAsync()
    {
        var caughtUp = false;
        while (true)
        {
            if (_woken)
            {
                (_woken, caughtUp) = (false, false);
            }

            // Two batches at most: one applied while the next is read and resolved. Reading only then lets a backlog
            // gather into large batches, so that a customer's events of a batch go to it in one call.
            while (!caughtUp && _inFlight.Count < 2 && _inFlight.Sum(b => b.Count) < Options.MaxEventsReadAhead)
            {
                var rows = await _transient.RunAsync(() => log.ReadAsync(Partition, _readUpTo, Options.BatchSize));
                if (rows.Count == 0)
                {
                    caughtUp = true;
                    break;
                }

                _inFlight.Enqueue(await StartAsync(rows));
                _readUpTo = rows[^1].Position;
                metrics.Unapplied(Partition, _inFlight.Peek().OldestReceivedAt);
            }

            if (!_inFlight.TryPeek(out var oldest))
            {
                if (_woken)
                {
                    continue;
                }

                return;
            }

            await oldest.Applied;
            var done = new List<Batch>();
            while (_inFlight.TryPeek(out var next) && next.Applied.IsCompleted)
            {
                done.Add(_inFlight.Dequeue());
            }

            foreach (var key in _customerTails.Where(t => t.Value.IsCompleted).Select(t => t.Key).ToList())
            {
                _customerTails.Remove(key);
            }

            var parked = done.SelectMany(b => b.Applied.Result).ToList();
            var applied = done.Sum(b => b.Count) - parked.Count;
            // The checkpoint is written at most once a second while busy, and when caught up or something was parked:
            // a crash redelivers at most that second's events, which applying ignores (message ids).
            var due = _inFlight.Count == 0 || parked.Count > 0 || time.GetUtcNow() - _checkpointWrittenAt >= CheckpointEvery;
            await _imports.ReportAsync(grains, _transient, Partition, done[^1].Last);
            // Set aside before the checkpoint passes them; parked again after a crash, they are only recorded again.
            await _transient.RunAsync(() => log.ParkAsync(Partition, parked));
            await UpdateStateAsync(s => s with
            {
                Checkpoint = done[^1].Last,
                Applied = s.Applied + applied,
                LastAppliedAt = time.GetUtcNow(),
            }, write: due);
            metrics.Applied(applied);
            metrics.Parked(parked.Count);
            RecordActivities();
            metrics.Unapplied(Partition, _inFlight.TryPeek(out var behind) ? behind.OldestReceivedAt : null);
        }
    }

    /// <summary>Resolves a batch and sets its customers' applies going, each after that customer's previous ones.</summary>
    private async Task<Batch> StartAsync(IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)> rows)
    {
        var readable = rows.Where(r => r.Event.Problem is null).ToList();
        var resolutions = await _transient.RunAsync(() => _resolver.ResolveAsync([.. readable.Select(r => r.Event)]));
        var applies = readable
            .Select((row, i) => (row.Position, row.Event, Resolution: resolutions[i]))
            .GroupBy(e => new CustomerKey(e.Event.TenantId, e.Resolution.CustomerId))
            .Select(group =>
            {
                var previous = _customerTails.GetValueOrDefault(group.Key) ?? Task.CompletedTask;
                var apply = ApplyAfterAsync(previous, group.Key, [.. group.Select(e => (e.Position, e.Event, e.Resolution))]);
                _customerTails[group.Key] = apply;
                return apply;
            })
            .ToList();
        var unreadable = rows.Where(r => r.Event.Problem is not null).Select(r => Park(r.Position, r.Event, r.Event.Problem!, attempts: 1)).ToList();
        return new Batch(rows.Count, rows[^1].Position, rows[0].Event.Event.ReceivedAt, CollectAsync(applies, unreadable));
    }

    private static async Task<IReadOnlyList<ParkedEvent>> CollectAsync(List<Task<IReadOnlyList<ParkedEvent>>> applies, List<ParkedEvent> unreadable) =>
        [.. unreadable, .. (await Task.WhenAll(applies)).SelectMany(p => p)];

    private async Task<IReadOnlyList<ParkedEvent>> ApplyAfterAsync(Task previous, CustomerKey customer, IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event, IdentityResolver.Resolution Resolution)> events)
    {
        await previous;
        try
        {
            await ApplyAsync(customer, events);
            return [];
        }
        catch (Exception ex) when (!TransientFailures.Is(ex))
        {
            // Something in these events fails: find which, one at a time, and set aside only what fails on its own.
            LogIsolating(ex, Partition, customer, events.Count);

            var parked = new List<ParkedEvent>();
            foreach (var one in events)
            {
                if (await ApplyAloneAsync(one.Position, one.Event) is { } reason)
                {
                    parked.Add(Park(one.Position, one.Event, reason, AttemptsBeforeParking));
                }
            }

            return parked;
        }
    }

    /// <returns>Null when applied, else why it still fails after every attempt.</returns>
    private async Task<string?> ApplyAloneAsync(IngestCheckpoint position, LoggedEvent logged)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var resolution = (await _transient.RunAsync(() => _resolver.ResolveAsync([logged])))[0];
                await ApplyAsync(new CustomerKey(logged.TenantId, resolution.CustomerId), [(position, logged, resolution)]);
                return null;
            }
            catch (Exception ex) when (!TransientFailures.Is(ex) && attempt >= AttemptsBeforeParking)
            {
                return ParkReasons.Describe(ex);
            }
            catch (Exception ex) when (!TransientFailures.Is(ex))
            {
                _resolver.Forget(logged.TenantId, logged.Event.Identities);
            }
        }
    }

    /// <summary>One call to the customer for all its events of the batch; then the visitors it turned out to be are folded in.</summary>
    /// <param name="reroutes">How many times these events were sent on already because another customer owned their identities.</param>
    /// <param name="hops">How many merged or deleted customers these events passed on their way here.</param>
    private async Task ApplyAsync(CustomerKey customer, IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event, IdentityResolver.Resolution Resolution)> events, int reroutes = 0, int hops = 0)
    {
        if (hops > MaxHops)
        {
            throw new InvalidOperationException($"The events passed {hops} merged or deleted customers without finding one to apply them.");
        }

        var grain = _customers.Get(customer);
        IReadOnlyList<string> absorb = [.. events.SelectMany(e => e.Resolution.Absorb)];
        try
        {
            var result = await _transient.RunAsync(() => grain.ApplyEventsAsync([.. events.Select(e => new RoutedEvent(e.Event.Event, e.Resolution.Claim))]));
            if (result.Deleted)
            {
                ForgetIdentities(events);
                await ApplyAsync(new CustomerKey(customer.TenantId, IdentityResolver.SuccessorOf(customer.TenantId, customer.CustomerId)), events, reroutes, hops + 1);
                return;
            }

            _resolver.Forget(customer.TenantId, result.NotOwned);
            Collect(customer.TenantId, result.Activities);
            CountImported(customer.TenantId, events, result);
            if (!result.Misrouted.IsEmpty)
            {
                await RerouteAsync([.. result.Misrouted.Select(i => events[i])], reroutes);
            }

            if (result.Misrouted.Length < events.Count && !result.NotOwned.IsEmpty)
            {
                absorb = [.. absorb, .. await _transient.RunAsync(() => _resolver.VisitorsOwningAsync(customer.TenantId, result.NotOwned, customer.CustomerId))];
            }
        }
        catch (CustomerMergedException merged)
        {
            // The index still names a customer that was merged (or names nobody, and the id derived from the identity is
            // the merged one's): finish the merge, and the customer it went into takes the events.
            ForgetIdentities(events);
            var survivor = new CustomerKey(customer.TenantId, merged.MergedInto);
            try
            {
                await _transient.RunAsync(() => _customers.Get(survivor).AbsorbAsync(merged.CustomerId));
            }
            catch (Exception ex) when (!TransientFailures.Is(ex))
            {
                // Deleted or merged on in turn: the events follow it all the same.
                LogAbsorbFailed(ex, survivor, merged.CustomerId);
            }

            await ApplyAsync(survivor, events, reroutes, hops + 1);
            return;
        }

        foreach (var visitor in absorb.Distinct())
        {
            try
            {
                await _transient.RunAsync(() => grain.AbsorbAsync(visitor));
            }
            catch (Exception ex) when (!TransientFailures.Is(ex))
            {
                // The events are applied; the visitor stays a customer of its own, as before it was resolved.
                LogAbsorbFailed(ex, customer, visitor);
            }
        }
    }

    /// <summary>What customers report they did, handed to the analytic grains once per batch rather than once per customer.</summary>
    private void Collect(string tenantId, ImmutableArray<Analytics.Activity> activities)
    {
        if (activities.IsEmpty)
        {
            return;
        }

        if (!_activities.TryGetValue(tenantId, out var pending))
        {
            _activities[tenantId] = pending = [];
        }

        pending.AddRange(activities);
    }

    /// <summary>What each imported row did, for its import's counters; a row sent on to another customer is counted there.</summary>
    private void CountImported(string tenantId, IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event, IdentityResolver.Resolution Resolution)> events, AppliedEvents result)
    {
        if (result.Outcomes.IsDefaultOrEmpty)
        {
            return;
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Event.Event is { Type: IngestEventType.Import } row && result.Outcomes[i] != EventOutcome.Misrouted)
            {
                _imports.Add(tenantId, row, events[i].Position, result.Outcomes[i] switch
                {
                    EventOutcome.Created => Imports.ImportRowResult.Created,
                    EventOutcome.Updated => Imports.ImportRowResult.Updated,
                    EventOutcome.Unchanged => Imports.ImportRowResult.Unchanged,
                    _ => Imports.ImportRowResult.AppliedBefore,
                });
            }
        }
    }

    private void RecordActivities()
    {
        foreach (var (tenantId, activities) in _activities)
        {
            grains.GetGrain<Analytics.IActivityBatcherGrain>(0).RecordAsync(tenantId, [.. activities]).Ignore();
        }

        _activities.Clear();
    }

    /// <summary>Events another customer claimed the identities of first: resolved again, they go to that customer.</summary>
    private async Task RerouteAsync(IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event, IdentityResolver.Resolution Resolution)> events, int reroutes)
    {
        if (reroutes >= AttemptsBeforeParking)
        {
            throw new InvalidOperationException($"The customer its identities resolve to kept changing ({reroutes} times).");
        }

        ForgetIdentities(events);
        var resolutions = await _transient.RunAsync(() => _resolver.ResolveAsync([.. events.Select(e => e.Event)]));
        foreach (var group in events.Select((e, i) => (e.Position, e.Event, Resolution: resolutions[i])).GroupBy(e => new CustomerKey(e.Event.TenantId, e.Resolution.CustomerId)))
        {
            await ApplyAsync(group.Key, [.. group], reroutes + 1);
        }
    }

    private void ForgetIdentities(IEnumerable<(IngestCheckpoint Position, LoggedEvent Event, IdentityResolver.Resolution Resolution)> events)
    {
        foreach (var (_, logged, _) in events)
        {
            _resolver.Forget(logged.TenantId, logged.Event.Identities);
        }
    }

    /// <summary>
    /// Tries the next page of parked events again, from where the last try stopped, so that however many one tenant
    /// has parked, a try takes a bounded time and every parked event comes round in turn.
    /// </summary>
    public async Task<IReadOnlyList<ParkedEvent>> RetryParkedAsync()
    {
        var page = await log.ParkedAsync(Partition, _retryAfter, ParkedPage);
        _retryAfter = page.Count < ParkedPage ? long.MinValue : page[^1].Position;
        var (applied, gone, stillParked) = (new List<long>(), new List<long>(), new List<ParkedEvent>());
        foreach (var parked in page)
        {
            var rows = await log.ReadAsync(Partition, new IngestCheckpoint(parked.Position - 1), 1);
            if (rows is not [var row] || row.Position.Position != parked.Position)
            {
                LogParkedGone(Partition, parked.Position, parked.TenantId, parked.MessageId);
                gone.Add(parked.Position);
                continue;
            }

            try
            {
                if ((row.Event.Problem ?? await ApplyAloneAsync(row.Position, row.Event)) is { } reason)
                {
                    stillParked.Add(parked with { Reason = reason, Attempts = parked.Attempts + AttemptsBeforeParking });
                    continue;
                }

                LogParkedApplied(Partition, parked.Position, parked.TenantId, parked.MessageId);
                applied.Add(parked.Position);
            }
            catch (Exception ex) when (TransientFailures.Is(ex))
            {
                // Not the event's fault: it stays parked as it was, for the next try.
            }
        }

        // Rows applied are told to their imports before they leave the list: a crash in between tries them again, which changes nothing.
        _imports.Recovered(applied);
        await _imports.ReportAsync(grains, _transient, Partition, state.State.Checkpoint);
        await log.ParkAsync(Partition, stillParked);
        await log.UnparkAsync(Partition, [.. applied, .. gone]);
        await UpdateStateAsync(s => s with
        {
            Applied = s.Applied + applied.Count,
            Parked = s.Parked.RemoveAll(p => applied.Contains(p.Position) || gone.Contains(p.Position)),
        });
        metrics.Applied(applied.Count);
        RecordActivities();
        return await log.ParkedAsync(Partition, long.MinValue, ParkedPage);
    }

    /// <summary>One state write at a time, each on the latest state: the pump and the reminder both change it.</summary>
    /// <param name="write">False: change it in memory only, to be written with the next write.</param>
    private async Task UpdateStateAsync(Func<IngestPartitionState, IngestPartitionState> change, bool write = true)
    {
        await _stateWrites.WaitAsync();
        try
        {
            state.State = change(state.State);
            if (write)
            {
                await _transient.RunAsync(() => state.WriteStateAsync());
                _checkpointWrittenAt = time.GetUtcNow();
            }
        }
        catch (Exception ex) when (!TransientFailures.Is(ex))
        {
            // The stored state is not what this activation thinks it is (written elsewhere, say): every later write
            // would fail the same way. A new activation reads it afresh and goes on from its checkpoint.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _stateWrites.Release();
        }
    }

    private ParkedEvent Park(IngestCheckpoint position, LoggedEvent logged, string reason, int attempts)
    {
        LogParked(Partition, position.Position, logged.TenantId, logged.Event.MessageId, reason);
        if (logged.Event.Type == IngestEventType.Import && logged.Problem is null)
        {
            _imports.Add(logged.TenantId, logged.Event, position, Imports.ImportRowResult.Refused, reason);
        }

        return new ParkedEvent(position.Position, logged.TenantId, logged.Event.MessageId, reason, time.GetUtcNow(), attempts);
    }

    /// <param name="Applied">Completes when every event of the batch is applied or parked; yields the parked ones.</param>
    private sealed record Batch(int Count, IngestCheckpoint Last, DateTimeOffset OldestReceivedAt, Task<IReadOnlyList<ParkedEvent>> Applied);

    [LoggerMessage(LogLevel.Error, "Ingest partition {Partition}: processing after position {Position} failed; it starts again shortly")]
    private partial void LogPumpFailed(Exception exception, int partition, long position);

    [LoggerMessage(LogLevel.Warning, "Ingest partition {Partition}: applying {Count} events to customer {CustomerKey} failed; applying them one at a time")]
    private partial void LogIsolating(Exception exception, int partition, CustomerKey customerKey, int count);

    [LoggerMessage(LogLevel.Error, "Ingest partition {Partition}: event at {Position} (tenant {TenantId}, message {MessageId}) fails on its own and is parked; the partition moves on. {Reason}")]
    private partial void LogParked(int partition, long position, string tenantId, string messageId, string reason);

    [LoggerMessage(LogLevel.Information, "Ingest partition {Partition}: parked event at {Position} (tenant {TenantId}, message {MessageId}) applied")]
    private partial void LogParkedApplied(int partition, long position, string tenantId, string messageId);

    [LoggerMessage(LogLevel.Error, "Ingest partition {Partition}: parked event at {Position} (tenant {TenantId}, message {MessageId}) is no longer in the ingest log")]
    private partial void LogParkedGone(int partition, long position, string tenantId, string messageId);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: folding in visitor {Visitor} failed; it stays a customer of its own")]
    private partial void LogAbsorbFailed(Exception exception, CustomerKey customerKey, string visitor);

    [LoggerMessage(LogLevel.Information, "Ingest partition {Partition}: pruned {Count} applied events older than the dedupe window")]
    private partial void LogPruned(int partition, long count);
}
