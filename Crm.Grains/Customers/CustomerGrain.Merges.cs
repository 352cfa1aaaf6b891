using System.Collections.Immutable;
using Crm.Ingestion;
using Crm.Merges;
using Crm.Security;
using Crm.Timeline;
using Microsoft.Extensions.Logging;

namespace Crm.Customers;

/// <summary>
/// Customers folded into one: anonymous visitors into the customer they turn out to be (identity resolution), and
/// customers a person merges (a merge, which can be undone).
/// </summary>
public sealed partial class CustomerGrain
{
    private static readonly Actor MergeActor = new("identity-resolution", "Identity resolution");

    /// <summary>How long events for a customer in a merge under way wait for it (a merge takes well under a second).</summary>
    public static readonly TimeSpan MaxMergeWait = TimeSpan.FromSeconds(30);

    public async Task<Customer> ReserveForMergeAsync(Guid mergeId)
    {
        EnsureNotMerged();
        EnsureExists();
        if (await HeldByAnotherMergeAsync(mergeId) is { } holder)
        {
            throw HeldBy(holder, "mergedIds");
        }

        if (State.MergeLease != mergeId)
        {
            await PersistAsync(State with { MergeLease = mergeId });
        }

        return Snapshot();
    }

    public async Task ReleaseMergeAsync(Guid mergeId)
    {
        if (_state.RecordExists && State.MergeLease == mergeId)
        {
            // What the merge's steps remembered to answer a resumed merge the same is not needed once it lets go.
            await PersistAsync(State with { MergeLease = null, LastMerge = null });
        }
    }

    public async Task RollBackMergeIntoAsync(Guid mergeId)
    {
        if (!_state.RecordExists || State.MergedInto is null || State.MergeId != mergeId)
        {
            await ReleaseMergeAsync(mergeId);
            return;
        }

        // Nothing left this customer yet: it is itself again where it stands, with what it gained meanwhile.
        var now = Now();
        var back = State with
        {
            MergedInto = null,
            MergeId = null,
            MergeLease = null,
            DeletedAt = null,
            Version = State.Version + 1,
            Sequence = State.Sequence + 1,
            ProfileSequence = State.Sequence + 1,
            UpdatedAt = now,
            PendingClaims = [.. State.Claims],
        };
        await CommitProfileAsync(back);
    }

    public async Task<Customer?> MergeIntoAsync(string survivorId, Guid? mergeId = null)
    {
        if (!_state.RecordExists && mergeId is not null)
        {
            throw new CustomerNotFoundException(_key.CustomerId);
        }

        if (!_state.RecordExists)
        {
            // Not created yet: marked all the same, so that an event on its way here is sent on to the survivor.
            await PersistAsync(new CustomerState { MergedInto = survivorId, DeletedAt = Now() });
            return null;
        }

        if (State.MergedInto is { } into)
        {
            return into == survivorId && State.MergeId == mergeId ? State.ToCustomer(_key.CustomerId) : throw new CustomerMergedException(_key.CustomerId, into);
        }

        if (mergeId is null ? State.IsIdentified || await HeldByAnotherMergeAsync(null) is not null : State.MergeLease != mergeId)
        {
            throw mergeId is null ? new CannotMergeException(_key.CustomerId) : NotHeld(mergeId.Value);
        }

        EnsureExists();
        var merged = Snapshot();
        await CommitProfileAsync(State.Deleted(MergeActor, Now()) with { MergedInto = survivorId, MergeId = mergeId, MergeLease = null });
        LogMerged(_key, survivorId);
        return merged;
    }

    public async Task AbsorbAsync(string customerId)
    {
        EnsureNotMerged();
        EnsureExists();
        if (customerId == _key.CustomerId)
        {
            return;
        }

        var absorbed = await GrainFactory.GetGrain<ICustomerGrain>(new CustomerKey(_key.TenantId, customerId).ToString()).MergeIntoAsync(_key.CustomerId);
        var (next, moved) = await _timeline.TakeOverAsync(State, customerId);
        if (absorbed is not null)
        {
            var merged = next.WithProfile(FillGaps(next.Profile, absorbed.Profile), MergeActor, Now()) with
            {
                Identities = CustomerIdentities.Add(next.Identities, absorbed.Identities),
            };
            await PersistAsync(merged);
            // All the merged customer had that this one now claims, even when an earlier attempt moved some already.
            var theirs = new CustomerState { Profile = absorbed.Profile, Identities = absorbed.Identities }.Claims;
            await _projections.MoveAsync(customerId, merged.Claims.Where(theirs.Contains).ToHashSet());
            await _projections.SyncAsync(Summary(), [], []);
            await _publisher.PublishAsync(new CustomerChanged(Snapshot() with { Sequence = State.ProfileSequence }));
        }
        else if (moved.Count > 0)
        {
            _state.State = next;
            _writeBehind.Mark();
        }

        foreach (var interaction in moved)
        {
            await _publisher.PublishAsync(new InteractionAdded(interaction));
        }
    }

    public async Task<SurvivedMerge> TakeOverAsync(Guid mergeId, ImmutableArray<Customer> merged, ImmutableDictionary<string, string> fields, Actor actor)
    {
        if (State.LastMerge is { } done && done.MergeId == mergeId)
        {
            // Done before the merge could record it: its identities may not have moved in the index yet.
            await MoveIdentitiesAsync(merged);
            return done;
        }

        EnsureNotMerged();
        EnsureExists();
        EnsureHeldBy(mergeId);
        var before = Snapshot();
        var profile = MergedProfiles.Compose([before, .. merged], fields);
        var next = State;
        var moved = new List<Interaction>();
        foreach (var customer in merged)
        {
            (next, var interactions) = await _timeline.TakeOverAsync(next, customer.Id, mergeId);
            moved.AddRange(interactions);
        }

        // What the merged customers were known by and the profile does not hold (an external id not chosen) stays the survivor's.
        var edited = next.Edited(profile, actor, Now());
        var held = edited.Claims;
        var theirs = merged.SelectMany(m => CustomerState.Of(m).Claims).ToHashSet();
        var survived = new SurvivedMerge(mergeId, before, profile);
        edited = edited with { Identities = [.. edited.Identities.Union(theirs.Where(i => !held.Contains(i)))], LastMerge = survived };
        await PersistAsync(edited);
        await MoveIdentitiesAsync(merged);
        await _projections.SyncAsync(Summary(), edited.PendingClaims, edited.PendingReleases);
        foreach (var interaction in moved)
        {
            await _publisher.PublishAsync(new InteractionAdded(interaction));
        }

        await _publisher.PublishAsync(new CustomerChanged(Snapshot() with { Sequence = State.ProfileSequence }));
        LogTookOver(_key, merged.Length, mergeId);
        return survived;
    }

    public async Task<Customer> UndoMergeAsync(MergeRecord record, Actor actor)
    {
        if (State.LastMerge is { Undone: true } undone && undone.MergeId == record.Id)
        {
            return Snapshot();
        }

        EnsureNotMerged();
        EnsureExists();
        EnsureHeldBy(record.Id);
        var before = CustomerState.Of(record.Before[0]);
        var removed = new List<Guid>();
        var givenBack = new HashSet<Identity>();
        foreach (var merged in record.Before.Skip(1))
        {
            var back = await _timeline.GiveBackAsync(record.Id, merged.Id);
            removed.AddRange(back.Select(i => i.Id));
            var theirs = CustomerState.Of(merged).Claims.Where(i => !before.Claims.Contains(i)).ToList();
            await _identities.HandOverAsync(_key, new CustomerKey(_key.TenantId, merged.Id), theirs);
            givenBack.UnionWith(theirs);
        }

        _projections.Forget(givenBack);
        var counted = await _timeline.RecountAsync(State);
        if (removed.Count > 0)
        {
            // The rows are gone from the timeline already: a change number of its own, before the profile's.
            counted = counted with { Sequence = counted.Sequence + 1 };
            await _publisher.PublishAsync(new InteractionsRemoved(counted.Sequence, [.. removed], _key.CustomerId, record.Before[1].Id));
        }

        var reverted = MergedProfiles.Revert(State.Profile, before.Profile, record.After);
        var next = counted.Edited(reverted, actor, Now());
        next = next with
        {
            Identities = next.Identities.RemoveAll(givenBack.Contains),
            PendingReleases = next.PendingReleases.RemoveAll(givenBack.Contains),
            LastMerge = new SurvivedMerge(record.Id, record.Before[0], record.After, Undone: true),
        };
        await CommitProfileAsync(next);
        LogUndone(_key, record.Id);
        return Snapshot();
    }

    public async Task<Customer> RestoreFromMergeAsync(Guid mergeId, Customer before, Actor actor)
    {
        if (!_state.RecordExists || State.MergedInto is null)
        {
            // Restored by this undo already (it holds the customer until it is recorded done), or never merged.
            return Exists ? Snapshot() : throw new CustomerNotFoundException(_key.CustomerId);
        }

        if (State.MergeId != mergeId)
        {
            throw new CustomerMergedException(_key.CustomerId, State.MergedInto);
        }

        var now = Now();
        var restored = CustomerState.Of(before) with
        {
            Version = State.Version + 1,
            Sequence = State.Sequence + 1,
            ProfileSequence = State.Sequence + 1,
            UpdatedAt = now,
            UpdatedBy = actor,
            FieldTimes = State.FieldTimes,
            RecentEventIds = State.RecentEventIds,
            MergeLease = mergeId,
        };
        restored = await _timeline.CatchUpAsync(restored with { PendingClaims = [.. restored.Claims] }, CancellationToken.None);
        await CommitProfileAsync(restored);
        return Snapshot();
    }

    /// <summary>
    /// As <see cref="EnsureNotMerged"/>, but while the merge that took this customer is still under way its events wait
    /// (a transient failure, which the ingest path waits out): a merge rolled back or undone gives them back to this
    /// customer, one that completes sends them on to the survivor after it took this one over, so that none lands on
    /// the survivor untagged in between, where neither a roll-back nor an undo would find it. The wait holds up the
    /// rest of the ingest partition too, so it lasts at most <see cref="MaxMergeWait"/> from the merge's (or the
    /// undo's) start: a merge that takes longer is stuck, and its events go on to the survivor as before.
    /// </summary>
    private async Task EnsureNotMergingAsync()
    {
        if (_state.RecordExists && State.MergedInto is not null && State.MergeId is { } mergeId
            && await _merges.GetAsync(_key.TenantId, mergeId) is { Status: MergeStatus.Merging or MergeStatus.Undoing } merge)
        {
            // Read each time, not remembered: a completed merge can be undone, and its undo is under way again.
            if (Now() - (merge.UndoneAt ?? merge.MergedAt) < MaxMergeWait)
            {
                throw new TransientFailureException($"Customer '{_key.CustomerId}' is in merge {mergeId}, which is under way: its events wait for it.");
            }

            LogMergeStuck(_key, mergeId);
        }

        EnsureNotMerged();
    }

    private async Task MoveIdentitiesAsync(ImmutableArray<Customer> merged)
    {
        foreach (var customer in merged)
        {
            await _projections.MoveAsync(customer.Id, CustomerState.Of(customer).Claims);
        }
    }

    /// <summary>
    /// The merge other than <paramref name="mergeId"/> that holds this customer, if it is still under way. A hold left
    /// by a merge that has ended (its letting go failed, or it is gone) is dropped here, so that no hold lasts forever.
    /// </summary>
    private async Task<Guid?> HeldByAnotherMergeAsync(Guid? mergeId)
    {
        if (State.MergeLease is not { } holder || holder == mergeId)
        {
            return null;
        }

        // Read from the log, not asked of the merge grain: that one may be waiting on this customer right now.
        if (await _merges.GetAsync(_key.TenantId, holder) is { Status: MergeStatus.Merging or MergeStatus.Undoing })
        {
            return holder;
        }

        LogStaleMergeLease(_key, holder);
        await PersistAsync(State with { MergeLease = null, LastMerge = null });
        return null;
    }

    private void EnsureHeldBy(Guid mergeId)
    {
        if (State.MergeLease != mergeId)
        {
            throw NotHeld(mergeId);
        }
    }

    private MergeRefusedException HeldBy(Guid holder, string field) =>
        new(field, $"Customer '{_key.CustomerId}' is in merge {holder}, which is under way: try again when it is done.", conflict: true);

    private MergeRefusedException NotHeld(Guid mergeId) =>
        new("mergeId", $"Merge {mergeId} does not hold customer '{_key.CustomerId}'.", conflict: true);

    /// <summary>What the survivor's profile lacks, taken from the merged one; what the survivor has stays.</summary>
    private static CustomerProfile FillGaps(CustomerProfile survivor, CustomerProfile merged) => survivor with
    {
        GivenName = survivor.GivenName ?? merged.GivenName,
        FamilyName = survivor.FamilyName ?? merged.FamilyName,
        Emails = [.. survivor.Emails.Union(merged.Emails).Take(CustomerIdentities.MaxPerKind[IdentityKind.Email])],
        Phones = [.. survivor.Phones.Union(merged.Phones).Take(CustomerIdentities.MaxPerKind[IdentityKind.Phone])],
        Company = survivor.Company ?? merged.Company,
        JobTitle = survivor.JobTitle ?? merged.JobTitle,
        Country = survivor.Country ?? merged.Country,
        Address = survivor.Address ?? merged.Address,
        Tags = [.. survivor.Tags.Union(merged.Tags)],
        Attributes = merged.Attributes.SetItems(survivor.Attributes),
    };

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} took over {Count} customers (merge {MergeId})")]
    private partial void LogTookOver(CustomerKey customerKey, int count, Guid mergeId);

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey}: merge {MergeId} undone")]
    private partial void LogUndone(CustomerKey customerKey, Guid mergeId);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: merge {MergeId} had ended without letting go of it; let go now")]
    private partial void LogStaleMergeLease(CustomerKey customerKey, Guid mergeId);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: merge {MergeId} has been under way too long; its events go on to the survivor")]
    private partial void LogMergeStuck(CustomerKey customerKey, Guid mergeId);

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} merged into {Survivor}")]
    private partial void LogMerged(CustomerKey customerKey, string survivor);
}
