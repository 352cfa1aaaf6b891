using Crm.Ingestion;
using Crm.Storage;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>What one ingested event does to a customer: the identities it adds, the traits it sets, the engagement it counts, the entry it puts on the timeline.</summary>
internal static class IngestedEventEffects
{
    /// <param name="owned">The event's identities this customer owns.</param>
    /// <returns>The state after the event and the interaction it records; a null state when the event was applied before.</returns>
    public static (CustomerState? State, NewInteraction? Interaction) Apply(CustomerState state, IngestEvent ingested, IEnumerable<Identity> owned)
    {
        // Events that leave a row are deduplicated by the row (unique on the message id); the others by the state.
        if (ingested.Interaction is null && state.RecentEventIds.Contains(ingested.MessageId))
        {
            return (null, null);
        }

        var next = state with { Identities = CustomerIdentities.Add(state.Identities, owned) };
        if (ingested.Traits is { } traits)
        {
            next = ProfileFieldTimes.Apply(next, traits, ingested.Timestamp);
        }

        if (ingested.Interaction is null)
        {
            next = next.WithEventId(ingested.MessageId);
            // An imported row is data about the person, not something they did.
            if (ingested.Type != IngestEventType.Import)
            {
                next = next with { Engagement = next.Engagement.Count(DbText.From(ingested.Type), ingested.Timestamp) };
            }
        }

        return (next, ingested.Interaction);
    }
}
