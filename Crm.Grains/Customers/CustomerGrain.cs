using System.Collections.Immutable;
using Crm.Analytics;
using Crm.Ingestion;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Customers;

/// <summary>
/// One customer: the only writer of its profile and timeline. A change is committed when its state write (profile)
/// or its timeline rows (interactions) are durable; it is then published to watchers, projected into the directory
/// and the identity index, and counted by the analytic grains. Each of those is a part of its own; this class decides
/// what a command changes, in the order that keeps them consistent.
/// </summary>
public sealed partial class CustomerGrain : Grain, ICustomerGrain
{
    private readonly IPersistentState<CustomerState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<CustomerGrain> _logger;
    private readonly CustomerKey _key;
    private readonly CustomerTimeline _timeline;
    private readonly StateWriteBehind _writeBehind;
    private readonly CustomerProjections _projections;
    private readonly CustomerPublisher _publisher;
    private readonly CustomerActivityRecorder _activity;
    private readonly IIdentityIndex _identities;
    private readonly Merges.IMergeLog _merges;
    private readonly Analytics.ValueSegmentModelsCache _valueSegments;

    public CustomerGrain(
        [PersistentState("customer", Constants.GrainStorage)] IPersistentState<CustomerState> state,
        ITimelineStore timeline,
        ICustomerDirectory directory,
        IIdentityIndex identities,
        IIngestLog log,
        Merges.IMergeLog merges,
        CustomerChangeSignals changes,
        Segments.SegmentRulesCache segments,
        Analytics.ValueSegmentModelsCache valueSegments,
        TimeProvider time,
        IOptions<CustomerGrainOptions> options,
        ILogger<CustomerGrain> logger)
    {
        (_state, _time, _logger, _identities, _merges, _valueSegments) = (state, time, logger, identities, merges, valueSegments);
        _key = CustomerKey.Parse(this.GetPrimaryKeyString());
        _timeline = new CustomerTimeline(_key, timeline, options.Value.RecentInteractions, logger);
        _projections = new CustomerProjections(this, _key, directory, identities, GrainFactory, log.Partitions, changes, segments, time, logger) { Done = Projected };
        _writeBehind = new StateWriteBehind(this, state, options.Value.StateWriteBehind, ProjectAsync, StateWriteFailed);
        _publisher = new CustomerPublisher(this, _key, time, options.Value.WatchLease, logger);
        _activity = new CustomerActivityRecorder(GrainFactory, _key);
    }

    private CustomerState State => _state.State;

    private bool Exists => _state.RecordExists && !State.IsDeleted;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_state.RecordExists)
        {
            return;
        }

        _publisher.Reactivated();
        var stored = State;
        _state.State = await _timeline.CatchUpAsync(stored, cancellationToken);
        if (State.Sequence != stored.Sequence)
        {
            await _state.WriteStateAsync(cancellationToken);
        }

        // The previous activation may have died between committing a change and projecting it.
        await _projections.ReassertAsync(Summary(), State.PendingClaims, State.PendingReleases);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _writeBehind.FlushAsync();

    public async Task<Customer> CreateAsync(CustomerProfile profile, Actor actor)
    {
        if (_state.RecordExists)
        {
            throw new CustomerAlreadyExistsException(_key.CustomerId);
        }

        await EnsureExternalIdFreeAsync(profile);
        var now = Now();
        await CommitProfileAsync(new CustomerState { CreatedAt = now, CreatedBy = actor, Activity = CustomerActivity.New }.Edited(profile, actor, now));
        _activity.Record([Activity("created", channel: null, eventName: null, actor, now, newCustomer: true)]);
        LogCreated(_key);
        return Snapshot();
    }

    public Task<Customer?> GetAsync() => Task.FromResult(Exists ? Snapshot() : null);

    public async Task RestoreAsync(Customer customer)
    {
        if (_state.RecordExists)
        {
            throw new CustomerAlreadyExistsException(_key.CustomerId);
        }

        var restored = CustomerState.Of(customer);
        await PersistAsync(restored with { PendingClaims = [.. restored.Claims] });
        await _projections.SyncAsync(Summary(), State.PendingClaims, []);
        // Its timeline rows arrive after it, straight into the store: the next activation reads back the latest.
        DeactivateOnIdle();
    }

    public async Task<Customer> UpdateProfileAsync(CustomerProfile profile, long expectedVersion, Actor actor)
    {
        EnsureVersion(expectedVersion);
        await EnsureExternalIdFreeAsync(profile);
        await CommitProfileAsync(State.Edited(profile, actor, Now()));
        return Snapshot();
    }

    public async Task DeleteAsync(long? expectedVersion, Actor actor)
    {
        EnsureVersion(expectedVersion);
        if (await HeldByAnotherMergeAsync(null) is { } merge)
        {
            throw HeldBy(merge, "id");
        }

        // A deleted customer no longer answers to its identities: events that name them find another, or a new one.
        await CommitProfileAsync(State.Deleted(actor, Now()) with { PendingReleases = [.. State.Claims.Union(State.PendingReleases)], PendingClaims = [] });
        LogDeleted(_key, actor.Id);
    }

    public async Task<InteractionAppendResult> AddInteractionAsync(NewInteraction request)
    {
        EnsureExists();
        var (next, results) = await _timeline.AppendAsync(State, [request], Now());
        var appended = results[0];
        if (!appended.Created)
        {
            return appended.Interaction.CustomerId == _key.CustomerId ? appended : throw new ExternalIdConflictException(request.ExternalId!);
        }

        // Stored: the state follows at once, whatever placing the customer again meets.
        _state.State = next;
        _state.State = await PlacedAfterOrdersAsync(next, [appended.Interaction], announce: true);
        _writeBehind.Mark();
        await _publisher.PublishAsync(new InteractionAdded(appended.Interaction));
        await PublishPlacedAsync(next.ProfileSequence);
        _activity.Record([Activity(DbText.From(request.Channel), request.Channel, eventName: null, request.Agent, appended.Interaction.OccurredAt)]);
        return appended;
    }

    public async Task<Interaction?> GetInteractionAsync(Guid interactionId)
    {
        EnsureExists();
        return await _timeline.FindAsync(State, interactionId);
    }

    public Task<TimelinePage> GetTimelineAsync(TimelineQuery query)
    {
        EnsureExists();
        return _timeline.ReadAsync(query);
    }

    public Task<long> WatchAsync()
    {
        _publisher.Renew();
        return Task.FromResult(State.Sequence);
    }

    public async Task<CustomerChanges> GetChangesSinceAsync(long afterSequence, int limit)
    {
        if (!_state.RecordExists)
        {
            throw new CustomerNotFoundException(_key.CustomerId);
        }

        var current = State;
        var events = (await _timeline.SinceAsync(current, afterSequence, limit)).Select(CustomerEvent (i) => new InteractionAdded(i));
        if (current.ProfileSequence > afterSequence)
        {
            var profile = Snapshot() with { Sequence = current.ProfileSequence };
            events = events.Append(
                current.MergedInto is { } survivor ? new CustomerMerged(profile, survivor)
                : current.IsDeleted ? new CustomerDeleted(profile)
                : new CustomerChanged(profile));
        }

        return new CustomerChanges([.. events.OrderBy(e => e.Sequence).Take(limit)], current.Sequence);
    }

    public async Task ClaimIdentitiesAsync(bool withProfile)
    {
        if (Exists)
        {
            await _projections.ClaimAsync(withProfile ? [.. State.Claims] : State.Identities);
        }
    }

    public async Task ProjectAsync()
    {
        if (Exists)
        {
            await _projections.SyncAsync(Summary(), [], []);
        }
    }

    public Task<CustomerStanding> GetStandingAsync() => Task.FromResult(
        !_state.RecordExists ? new CustomerStanding(CustomerStandingKind.NotCreated)
        : State.MergedInto is { } into ? new CustomerStanding(CustomerStandingKind.Merged, into)
        : State.IsDeleted ? new CustomerStanding(CustomerStandingKind.Deleted)
        : State.IsIdentified ? new CustomerStanding(CustomerStandingKind.Identified)
        : new CustomerStanding(CustomerStandingKind.Anonymous));

    /// <summary>Writes the state, then projects and publishes the profile it holds.</summary>
    private async Task CommitProfileAsync(CustomerState next)
    {
        await PersistAsync(next);
        await _projections.SyncAsync(Summary(), next.PendingClaims, next.PendingReleases);
        var customer = Snapshot();
        await _publisher.PublishAsync(
            next.MergedInto is { } survivor ? new CustomerMerged(customer, survivor)
            : next.IsDeleted ? new CustomerDeleted(customer)
            : new CustomerChanged(customer));
    }

    /// <summary>Makes <paramref name="next"/> the state and writes it before returning.</summary>
    private async Task PersistAsync(CustomerState next)
    {
        try
        {
            await _state.WriteAsync(next);
            _writeBehind.Written();
        }
        catch
        {
            // Whether the write landed is unknown: start over from storage on the next call.
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>An external id is how other systems name the customer: two customers cannot share one.</summary>
    private async Task EnsureExternalIdFreeAsync(CustomerProfile profile)
    {
        if (IdentityRules.User(profile.ExternalId) is { } externalId && externalId.Value != State.Profile.ExternalId
            && (await _identities.FindAsync([new TenantIdentity(_key.TenantId, externalId)])).Values.FirstOrDefault() is { } owner
            && owner.CustomerId != _key.CustomerId)
        {
            throw new IdentityTakenException("externalId", externalId.Value, owner.CustomerId);
        }
    }

    /// <summary>Claims and releases done in the index are no longer pending: recorded with the next write.</summary>
    private void Projected(IReadOnlyCollection<Identity> done)
    {
        if (State.PendingReleases.Any(done.Contains) || State.PendingClaims.Any(done.Contains))
        {
            _state.State = State with { PendingReleases = State.PendingReleases.RemoveAll(done.Contains), PendingClaims = State.PendingClaims.RemoveAll(done.Contains) };
            _writeBehind.Mark();
        }
    }

    private void StateWriteFailed(Exception exception)
    {
        LogStateWriteFailed(exception, _key);
        DeactivateOnIdle();
    }

    private void EnsureNotMerged()
    {
        if (_state.RecordExists && State.MergedInto is { } into)
        {
            throw new CustomerMergedException(_key.CustomerId, into);
        }
    }

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw new CustomerNotFoundException(_key.CustomerId);
        }
    }

    private void EnsureVersion(long? expectedVersion)
    {
        EnsureExists();
        if (expectedVersion is { } expected && expected != State.Version)
        {
            throw new VersionConflictException(expected, State.Version);
        }
    }

    private Activity Activity(string type, InteractionChannel? channel, string? eventName, Actor? agent, DateTimeOffset at, bool newCustomer = false) => new()
    {
        CustomerId = _key.CustomerId,
        Type = type,
        Channel = channel,
        EventName = eventName,
        Agent = agent,
        At = at,
        NewCustomer = newCustomer,
    };

    private Customer Snapshot() => State.ToCustomer(_key.CustomerId);

    private CustomerSummary Summary() => CustomerSummary.Of(_key, Snapshot(), State.IsDeleted);

    private DateTimeOffset Now() => StoredTime.Of(_time.GetUtcNow());

    [LoggerMessage(LogLevel.Debug, "Customer {CustomerKey} created")]
    private partial void LogCreated(CustomerKey customerKey);

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} deleted by {UserId}")]
    private partial void LogDeleted(CustomerKey customerKey, string userId);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: state write failed; the next activation rebuilds it from the timeline")]
    private partial void LogStateWriteFailed(Exception exception, CustomerKey customerKey);
}
