using System.Collections.Immutable;
using Crm.Customers;
using Crm.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Crm.Ingestion;

[GenerateSerializer, Alias("crm.ingest-partition-state")]
public sealed record IngestPartitionState
{
    [Id(0)] public IngestCheckpoint Checkpoint { get; init; } = IngestCheckpoint.Start;
    [Id(1)] public long Applied { get; init; }
    [Id(2)] public DateTimeOffset? LastAppliedAt { get; init; }
    [Id(3)] public DateTimeOffset? LastPrunedAt { get; init; }
    [Id(4)] public ImmutableList<ParkedEvent> Parked { get; init; } = [];
}

/// <summary>
/// Applies one ingest log partition. Woken by the "new work" stream when web nodes commit events, by a reminder
/// that keeps it alive across restarts, and by a slow timer in case a signal was lost. Reads in order from its
/// checkpoint; the checkpoint moves only after the whole batch before it was applied, so delivery is at least
/// once, and applying is idempotent (message ids), so every event counts exactly once. An event that fails on its
/// own again and again is parked rather than allowed to hold up the partition (see the Parking part).
/// </summary>
[ImplicitStreamSubscription(Constants.IngestWorkStreamNamespace)]
public sealed partial class IngestPartitionGrain(
    [PersistentState("ingest-partition", Constants.GrainStorage)] IPersistentState<IngestPartitionState> state,
    IIngestLog log,
    IOptions<IngestOptions> options,
    CrmMetrics metrics,
    TimeProvider time,
    ILogger<IngestPartitionGrain> logger) : Grain, IIngestPartitionGrain, IRemindable, IStreamSubscriptionObserver, IAsyncObserver<int>
{
    private const int MaxEventsPerTurn = 4096;
    private const int MaxCachedIdentities = 100_000;
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Who each identity resolved to, so that a person's next events skip the identity grains. Only a hint: when the
    /// customer turns out to be merged, the entry is dropped and the identities are resolved again.
    /// </summary>
    private readonly Dictionary<(string Tenant, Identity Identity), string> _resolved = [];

    private int Partition => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.RegisterOrUpdateReminder("keep-alive", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        this.RegisterGrainTimer(_ => ProcessAsync(), new GrainTimerCreationOptions(SafetyNet, SafetyNet) { KeepAlive = true });
    }

    public Task WakeAsync() => ProcessAsync();

    public Task<IngestPartitionStatus> GetStatusAsync() =>
        Task.FromResult(new IngestPartitionStatus(Partition, state.State.Checkpoint, state.State.Applied, state.State.LastAppliedAt, [.. state.State.Parked]));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await RetryParkedAsync();
        await ProcessAsync();
        if (state.State.LastPrunedAt is not { } pruned || time.GetUtcNow() - pruned > TimeSpan.FromHours(1))
        {
            var removed = await log.PruneAsync(Partition, time.GetUtcNow() - options.Value.DedupeWindow);
            state.State = state.State with { LastPrunedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
            LogPruned(Partition, removed);
        }
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<int>().ResumeAsync(this);

    public Task OnNextAsync(int item, StreamSequenceToken? token = null) => ProcessAsync();

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private async Task ProcessAsync()
    {
        var processed = 0;
        try
        {
            while (processed < MaxEventsPerTurn)
            {
                var batch = await log.ReadAsync(Partition, state.State.Checkpoint, options.Value.BatchSize);
                if (batch.Count == 0)
                {
                    return;
                }

                IReadOnlyList<ParkedEvent> parked = [];
                if (_failures < IsolateAfterFailures)
                {
                    await ApplyAsync(batch);
                }
                else
                {
                    parked = await ApplyEachOrParkAsync(batch);
                }

                _failures = 0;
                state.State = state.State with
                {
                    Checkpoint = batch[^1].Position,
                    Applied = state.State.Applied + batch.Count - parked.Count,
                    LastAppliedAt = time.GetUtcNow(),
                    Parked = state.State.Parked.AddRange(parked),
                };
                await state.WriteStateAsync();
                metrics.Applied(batch.Count);
                processed += batch.Count;
            }

            // More is waiting: carry on in a new turn, so that other calls to this grain get in between.
            this.RegisterGrainTimer(_ => ProcessAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
        catch (Exception ex)
        {
            // Nothing moved past what failed: the safety-net timer tries the same batch again.
            _failures++;
            LogFailed(ex, Partition, state.State.Checkpoint.Position);
        }
    }

    /// <summary>One person's events in order; different people side by side.</summary>
    private async Task ApplyAsync(IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)> batch)
    {
        var byPerson = batch
            .Select(row => (row.Event, Identities: IdentityRules.Of(row.Event.Event)))
            .GroupBy(e => (e.Event.TenantId, Person: e.Identities.FirstOrDefault()?.Key))
            .ToList();
        var resolver = new IdentityResolver(GrainFactory);
        await Parallel.ForEachAsync(byPerson, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, TaskScheduler = TaskScheduler.Current },
            async (events, _) =>
            {
                foreach (var (logged, identities) in events)
                {
                    await ApplyAsync(resolver, logged, identities);
                }
            });
    }

    private async Task ApplyAsync(IdentityResolver resolver, LoggedEvent logged, IReadOnlyList<Identity> identities)
    {
        for (var attempt = 1; ; attempt++)
        {
            var resolution = Cached(logged.TenantId, identities) ?? await resolver.ResolveAsync(logged.TenantId, identities);
            if (resolution is null)
            {
                LogNobody(logged.TenantId, logged.Event.MessageId);
                return;
            }

            var customer = Customer(logged.TenantId, resolution.CustomerId);
            try
            {
                await customer.ApplyEventAsync(logged.Event, [.. resolution.Owned]);
                foreach (var anonymous in resolution.Absorb)
                {
                    await customer.AbsorbAsync(anonymous);
                }

                Remember(logged.TenantId, resolution);
                return;
            }
            catch (CustomerMergedException merged) when (attempt < 3)
            {
                // The identity index still names a customer that was merged: finish the merge, then resolve again.
                Forget(logged.TenantId, identities);
                await Customer(logged.TenantId, merged.MergedInto).AbsorbAsync(merged.CustomerId);
            }
        }
    }

    /// <summary>A resolution from the cache, when every identity of the event resolved to the same customer before.</summary>
    private IdentityResolver.Resolution? Cached(string tenantId, IReadOnlyList<Identity> identities)
    {
        string? customerId = null;
        foreach (var identity in identities)
        {
            if (!_resolved.TryGetValue((tenantId, identity), out var owner) || (customerId is not null && owner != customerId))
            {
                return null;
            }

            customerId = owner;
        }

        return customerId is null ? null : new IdentityResolver.Resolution(customerId, identities, []);
    }

    private void Remember(string tenantId, IdentityResolver.Resolution resolution)
    {
        if (_resolved.Count + resolution.Owned.Count > MaxCachedIdentities)
        {
            _resolved.Clear();
        }

        foreach (var identity in resolution.Owned)
        {
            _resolved[(tenantId, identity)] = resolution.CustomerId;
        }
    }

    private void Forget(string tenantId, IReadOnlyList<Identity> identities)
    {
        foreach (var identity in identities)
        {
            _resolved.Remove((tenantId, identity));
        }
    }

    private ICustomerGrain Customer(string tenantId, string customerId) =>
        GrainFactory.GetGrain<ICustomerGrain>(new CustomerKey(tenantId, customerId).ToString());

    [LoggerMessage(LogLevel.Warning, "Ingest partition {Partition}: applying the batch after position {Position} failed; it will be tried again")]
    private partial void LogFailed(Exception exception, int partition, long position);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: message {MessageId} names nobody usable (only junk identities); skipped")]
    private partial void LogNobody(string tenantId, string messageId);

    [LoggerMessage(LogLevel.Information, "Ingest partition {Partition}: pruned {Count} events older than the dedupe window")]
    private partial void LogPruned(int partition, long count);
}
