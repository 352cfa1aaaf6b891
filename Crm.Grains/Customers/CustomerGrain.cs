using System.Collections.Immutable;
using Crm.Analytics;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Crm.Customers;

/// <summary>
/// One customer: the only writer of its profile and timeline. A change is committed when its state write
/// (profile) or its timeline row (interaction) is durable; it is then published on the customer's stream.
/// </summary>
public sealed partial class CustomerGrain(
    [PersistentState("customer", Constants.GrainStorage)] IPersistentState<CustomerState> state,
    ITimelineStore timeline,
    ICustomerDirectory directory,
    TimeProvider time,
    IOptions<CustomerGrainOptions> options,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain
{
    private const int CatchUpBatch = 500;

    private CustomerKey _key;
    private IAsyncStream<CustomerEvent>? _stream;
    private IGrainTimer? _directoryRetry;
    private IGrainTimer? _stateFlush;
    private bool _stateBehind;
    private IActivityBatcherGrain? _activity;
    private DateTimeOffset _publishUntil;

    private bool Exists => state.RecordExists && !state.State.IsDeleted;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = CustomerKey.Parse(this.GetPrimaryKeyString());
        _publishUntil = time.GetUtcNow() + options.Value.WatchLease;
        if (!state.RecordExists)
        {
            return;
        }

        await CatchUpWithTimelineAsync(cancellationToken);
        // The row may have missed the last change if the previous activation died between the two writes.
        await directory.UpsertAsync(Summary(), cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await FlushStateAsync();

    public async Task<Customer> CreateAsync(CustomerProfile profile, Actor actor)
    {
        if (state.RecordExists)
        {
            throw new CustomerAlreadyExistsException(_key.CustomerId);
        }

        var now = Now();
        await CommitProfileAsync(new CustomerState { CreatedAt = now, CreatedBy = actor }.WithProfile(profile, actor, now));
        LogCreated(_key);
        RecordActivity("created", channel: null, eventName: null, actor, now, newCustomer: true);
        return Snapshot();
    }

    public Task<Customer?> GetAsync() => Task.FromResult(Exists ? Snapshot() : null);

    public async Task<Customer> UpdateProfileAsync(CustomerProfile profile, long expectedVersion, Actor actor)
    {
        EnsureVersion(expectedVersion);
        await CommitProfileAsync(state.State.WithProfile(profile, actor, Now()));
        return Snapshot();
    }

    public async Task DeleteAsync(long? expectedVersion, Actor actor)
    {
        EnsureVersion(expectedVersion);
        await CommitProfileAsync(state.State.Deleted(actor, Now()));
        LogDeleted(_key, actor.Id);
    }

    public async Task<InteractionAppendResult> AddInteractionAsync(NewInteraction request)
    {
        EnsureExists();
        var appended = await AppendAsync(request);
        if (!appended.Created && appended.Interaction.CustomerId != _key.CustomerId)
        {
            throw new ExternalIdConflictException(request.ExternalId!);
        }

        if (appended.Created)
        {
            RecordActivity(DbText.From(request.Channel), request.Channel, eventName: null, request.Agent, appended.Interaction.OccurredAt);
        }

        return appended;
    }

    /// <summary>
    /// Numbers the interaction and appends it to the timeline, the commit point; then updates the cached counters
    /// (written behind: they are rebuilt from the timeline on activation) and publishes it.
    /// </summary>
    private async Task<InteractionAppendResult> AppendAsync(NewInteraction request)
    {
        var interaction = new Interaction
        {
            Id = Guid.CreateVersion7(),
            CustomerId = _key.CustomerId,
            Sequence = state.State.Sequence + 1,
            Channel = request.Channel,
            Direction = request.Direction,
            OccurredAt = ToStoredPrecision(request.OccurredAt),
            RecordedAt = Now(),
            Agent = request.Agent,
            Subject = request.Subject,
            Body = request.Body,
            DurationSeconds = request.DurationSeconds,
            Outcome = request.Outcome,
            ExternalId = request.ExternalId,
            Metadata = request.Metadata,
            RecordedBy = request.RecordedBy,
            EventType = request.EventType,
        };

        var appended = await timeline.AppendAsync(_key, interaction);
        if (!appended.Created)
        {
            return appended;
        }

        state.State = state.State.Recorded(interaction, options.Value.RecentInteractions);
        WriteStateBehind();
        await PublishAsync(new InteractionAdded(interaction));
        return appended;
    }

    /// <summary>Writes the state once, a moment from now, however many changes come in between.</summary>
    private void WriteStateBehind()
    {
        _stateBehind = true;
        _stateFlush ??= this.RegisterGrainTimer(
            _ => FlushStateAsync(),
            new GrainTimerCreationOptions(options.Value.StateWriteBehind, Timeout.InfiniteTimeSpan) { KeepAlive = false });
    }

    public async Task<Interaction?> GetInteractionAsync(Guid interactionId)
    {
        EnsureExists();
        return state.State.Recent.FirstOrDefault(i => i.Id == interactionId)
            ?? await timeline.FindAsync(_key, interactionId);
    }

    public Task<TimelinePage> GetTimelineAsync(TimelineQuery query)
    {
        EnsureExists();
        return timeline.ReadAsync(_key, query);
    }

    public Task<long> WatchAsync()
    {
        _publishUntil = time.GetUtcNow() + options.Value.WatchLease;
        return Task.FromResult(state.State.Sequence);
    }

    public async Task<CustomerChanges> GetChangesSinceAsync(long afterSequence, int limit)
    {
        if (!state.RecordExists)
        {
            throw new CustomerNotFoundException(_key.CustomerId);
        }

        var current = state.State;
        var interactions = current.TryGetRecentSince(afterSequence, out var recent)
            ? recent.Take(limit)
            : await timeline.ReadSinceAsync(_key, afterSequence, limit);

        var events = interactions.Select(CustomerEvent (i) => new InteractionAdded(i));
        if (current.ProfileSequence > afterSequence)
        {
            var profile = Snapshot() with { Sequence = current.ProfileSequence };
            events = events.Append(current.IsDeleted ? new CustomerDeleted(profile) : new CustomerChanged(profile));
        }

        return new CustomerChanges([.. events.OrderBy(e => e.Sequence).Take(limit)], current.Sequence);
    }

    private async Task CommitProfileAsync(CustomerState next)
    {
        await PersistAsync(next);
        await SyncDirectoryAsync();
        var customer = Snapshot();
        await PublishAsync(next.IsDeleted ? new CustomerDeleted(customer) : new CustomerChanged(customer));
    }

    /// <summary>Folds in interactions whose timeline rows were written but whose state write was lost.</summary>
    private async Task CatchUpWithTimelineAsync(CancellationToken cancellationToken)
    {
        var caughtUp = state.State;
        IReadOnlyList<Interaction> missed;
        do
        {
            missed = await timeline.ReadSinceAsync(_key, caughtUp.Sequence, CatchUpBatch, cancellationToken);
            caughtUp = missed.Aggregate(caughtUp, (s, i) => s.Recorded(i, options.Value.RecentInteractions));
        }
        while (missed.Count == CatchUpBatch);

        if (!ReferenceEquals(caughtUp, state.State))
        {
            LogCaughtUp(_key, state.State.Sequence, caughtUp.Sequence);
            state.State = caughtUp;
            await state.WriteStateAsync(cancellationToken);
        }
    }

    /// <summary>Makes <paramref name="next"/> the state and writes it before returning.</summary>
    private async Task PersistAsync(CustomerState next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
            _stateBehind = false;
        }
        catch
        {
            // Whether the write landed is unknown: start over from storage on the next call.
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task FlushStateAsync()
    {
        _stateFlush?.Dispose();
        _stateFlush = null;
        if (!_stateBehind)
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
            _stateBehind = false;
        }
        catch (Exception ex)
        {
            // Nothing is lost: the next activation rebuilds the state from the timeline.
            LogStateWriteFailed(ex, _key);
            DeactivateOnIdle();
        }
    }

    /// <summary>Writes the customer's directory row; on failure keeps retrying on a timer, as the change itself is committed.</summary>
    private async Task SyncDirectoryAsync()
    {
        try
        {
            await directory.UpsertAsync(Summary());
            _directoryRetry?.Dispose();
            _directoryRetry = null;
        }
        catch (Exception ex)
        {
            LogDirectoryWriteFailed(ex, _key);
            _directoryRetry ??= this.RegisterGrainTimer(
                _ => SyncDirectoryAsync(),
                new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { KeepAlive = true });
        }
    }

    private async Task PublishAsync(CustomerEvent change)
    {
        if (time.GetUtcNow() > _publishUntil)
        {
            return;
        }

        try
        {
            _stream ??= this.GetStreamProvider(Constants.StreamProvider)
                .GetStream<CustomerEvent>(StreamId.Create(Constants.CustomerStreamNamespace, this.GetPrimaryKeyString()));
            await _stream.OnNextAsync(change);
        }
        catch (Exception ex)
        {
            // Committed regardless; watchers fill the gap from the timeline when the next change arrives.
            LogPublishFailed(ex, _key, change.Sequence);
        }
    }

    private void EnsureNotMerged()
    {
        if (state.RecordExists && state.State.MergedInto is { } into)
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
        if (expectedVersion is { } expected && expected != state.State.Version)
        {
            throw new VersionConflictException(expected, state.State.Version);
        }
    }

    private Customer Snapshot() => state.State.ToCustomer(_key.CustomerId);

    private CustomerSummary Summary() => CustomerSummary.Of(_key, Snapshot(), state.State.IsDeleted);

    private DateTimeOffset Now() => ToStoredPrecision(time.GetUtcNow());

    /// <summary>PostgreSQL keeps microseconds: every store sees the same instant, and cursors round-trip.</summary>
    private static DateTimeOffset ToStoredPrecision(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    [LoggerMessage(LogLevel.Debug, "Customer {CustomerKey} created")]
    private partial void LogCreated(CustomerKey customerKey);

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} deleted by {UserId}")]
    private partial void LogDeleted(CustomerKey customerKey, string userId);

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} merged into {Survivor}")]
    private partial void LogMerged(CustomerKey customerKey, string survivor);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: caught up from sequence {From} to {To} with the timeline")]
    private partial void LogCaughtUp(CustomerKey customerKey, long from, long to);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: state write failed; the next activation rebuilds it from the timeline")]
    private partial void LogStateWriteFailed(Exception exception, CustomerKey customerKey);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: directory row not written; retrying")]
    private partial void LogDirectoryWriteFailed(Exception exception, CustomerKey customerKey);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: change {Sequence} not published")]
    private partial void LogPublishFailed(Exception exception, CustomerKey customerKey, long sequence);
}
