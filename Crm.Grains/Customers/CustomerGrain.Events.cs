using System.Collections.Immutable;
using Crm.Analytics;
using Crm.Ingestion;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>What integrations send, applied a batch at a time: one claim, one timeline append, one state write, one activity message.</summary>
public sealed partial class CustomerGrain
{
    public async Task<AppliedEvents> ApplyEventsAsync(ImmutableArray<RoutedEvent> events)
    {
        await EnsureNotMergingAsync();
        if (events.IsEmpty)
        {
            return new AppliedEvents(0, [], [], [], Deleted: false);
        }

        if (State.IsDeleted)
        {
            // It gave its identities up when it was deleted: these are from someone who came back, for a new customer.
            return new AppliedEvents(0, [], [], [], Deleted: true);
        }

        var created = !_state.RecordExists;
        var first = events[0].Event;
        var source = new Actor(first.SourceId.ToString(), first.SourceName);
        var before = created
            ? new CustomerState { CreatedAt = Now(), CreatedBy = source, Activity = CustomerActivity.New, Profile = new CustomerProfile { DisplayName = PlaceholderName(events) } }
            : State;

        var wanted = events.SelectMany(e => e.Claim).Where(i => !before.Holds(i)).ToHashSet();
        var owned = wanted.Count == 0 ? wanted : await _projections.ClaimAsync(wanted);
        // Another customer claimed every identity of these first (a race between partitions): they are not this one's.
        var misrouted = events.Select((e, i) => (e, i)).Where(x => !x.e.Event.Identities.Any(id => before.Holds(id) || owned.Contains(id))).Select(x => x.i).ToImmutableArray();
        if (misrouted.Length == events.Length && created)
        {
            return new AppliedEvents(0, [.. wanted.Except(owned)], misrouted, [], Deleted: false);
        }

        var next = before;
        var interactions = new List<NewInteraction>();
        var recordedBy = new List<(IngestEvent Event, int Index)>();
        var activities = ImmutableArray.CreateBuilder<Activity>();
        var outcomes = new EventOutcome[events.Length];
        var applied = 0;
        foreach (var (routed, index) in events.Select((e, i) => (e, i)))
        {
            if (misrouted.Contains(index))
            {
                outcomes[index] = EventOutcome.Misrouted;
                continue;
            }

            var ingested = routed.Event;
            var (after, interaction) = IngestedEventEffects.Apply(next, ingested, routed.Claim.Where(i => before.Holds(i) || owned.Contains(i)));
            if (after is null)
            {
                outcomes[index] = EventOutcome.AppliedBefore;
                continue;
            }

            // An event with an interaction creates that interaction (unless its row turns out stored before, below).
            outcomes[index] = (created && applied == 0) || interaction is not null ? EventOutcome.Created
                : ProfileEquality.Same(after.Profile, next.Profile) ? EventOutcome.Unchanged
                : EventOutcome.Updated;
            next = after;
            applied++;
            if (interaction is not null)
            {
                interactions.Add(interaction);
                recordedBy.Add((ingested, index));
            }
            else if (ingested.Type != IngestEventType.Import || (created && applied == 1))
            {
                // An imported row is no activity of the person's, but a customer it creates is a new customer.
                activities.Add(Activity(DbText.From(ingested.Type), channel: null, eventName: null, agent: null, ingested.Timestamp, newCustomer: created && applied == 1));
            }
        }

        // Claimed for identities the customer could not keep (beyond its limits): given back, or the index would name
        // it for people it does not know.
        var unkept = owned.Where(i => !next.Holds(i)).ToList();
        if (unkept.Count > 0)
        {
            next = next with { PendingReleases = [.. next.PendingReleases.Union(unkept)] };
        }

        var profileChanged = created || !ProfileEquality.Same(next.Profile, before.Profile);
        if (profileChanged)
        {
            next = next.WithProfile(next.Profile, source, Now());
        }

        var (recorded, results) = await _timeline.AppendAsync(next, interactions, Now());
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Created)
            {
                var (row, ingested) = (results[i].Interaction, recordedBy[i].Event);
                // Tracked events count by their type and name; webhooks, like what people log, by the channel.
                activities.Add(Activity(row.EventType ?? DbText.From(row.Channel), row.Channel, ingested.Type == IngestEventType.Track ? ingested.Name : null,
                    row.Agent, row.OccurredAt, newCustomer: created && activities.Count == 0));
            }
            else
            {
                // Its row was stored before (a redelivery): it was counted then.
                outcomes[recordedBy[i].Index] = EventOutcome.AppliedBefore;
            }
        }

        applied -= results.Count(r => !r.Created);
        // Not announced: a batch may change the profile too, whose change goes out before its interactions.
        recorded = await PlacedAfterOrdersAsync(recorded, results.Where(r => r.Created).Select(r => r.Interaction), announce: false);

        // Identify, group and alias leave no row: the state is their record, so it is written now; rows only change
        // counters, which the timeline rebuilds.
        if (profileChanged || unkept.Count > 0 || next.Identities != before.Identities || !next.RecentEventIds.SequenceEqual(before.RecentEventIds))
        {
            await PersistAsync(recorded);
        }
        else
        {
            _state.State = recorded;
            _writeBehind.Mark();
        }

        if (profileChanged || unkept.Count > 0)
        {
            await _projections.SyncAsync(profileChanged ? Summary() : null, [], unkept);
        }

        if (profileChanged)
        {
            await _publisher.PublishAsync(new CustomerChanged(Snapshot() with { Sequence = State.ProfileSequence }));
        }

        foreach (var result in results.Where(r => r.Created))
        {
            await _publisher.PublishAsync(new InteractionAdded(result.Interaction));
        }

        if (events.All(e => e.Event.Type == IngestEventType.Import) && !_publisher.IsWatched)
        {
            // A customer an import touches is rarely asked for again soon: a million of them must not stay in memory.
            DeactivateOnIdle();
        }

        return new AppliedEvents(applied, [.. wanted.Except(owned)], misrouted, activities.ToImmutable(), Deleted: false, [.. outcomes]);
    }

    private static string PlaceholderName(ImmutableArray<RoutedEvent> events)
    {
        var identities = events.SelectMany(e => e.Event.Identities).ToList();
        return identities.FirstOrDefault(i => i.Kind == IdentityKind.Email)?.Value
            ?? identities.FirstOrDefault(i => i.Kind == IdentityKind.User)?.Value
            ?? "Anonymous visitor";
    }
}
