using System.Collections.Immutable;
using Crm.Ingestion;

namespace Crm.Customers;

/// <summary>An ingested event on its way to the customer it resolved to, with the identities that customer is to claim for it.</summary>
[GenerateSerializer, Immutable, Alias("crm.routed-event")]
public sealed record RoutedEvent(
    [property: Id(0)] IngestEvent Event,
    [property: Id(1)] ImmutableArray<Identity> Claim);

/// <summary>What became of a customer's batch of events.</summary>
/// <param name="Applied">Events applied now (the others were applied before, or were not this customer's).</param>
/// <param name="NotOwned">Identities the customer was to claim that another customer owns: they resolve to that one.</param>
/// <param name="Misrouted">
/// The events (by index) that name this customer by none of their identities, because another customer claimed them
/// all first: nothing of them was applied here; they belong to whoever owns their identities now.
/// </param>
/// <param name="Activities">What the events did, for the analytic grains: the caller hands them on with the rest of its batch.</param>
/// <param name="Deleted">
/// The customer was deleted and gave its identities up: none of the events were applied; they belong to the customer
/// that comes after it (<c>IdentityResolver.SuccessorOf</c>).
/// </param>
/// <param name="Outcomes">What each event did to the customer, in order (empty when none was applied): what an import counts.</param>
[GenerateSerializer, Immutable, Alias("crm.applied-events")]
public sealed record AppliedEvents(
    [property: Id(0)] int Applied,
    [property: Id(1)] ImmutableArray<Identity> NotOwned,
    [property: Id(2)] ImmutableArray<int> Misrouted,
    [property: Id(3)] ImmutableArray<Analytics.Activity> Activities,
    [property: Id(4)] bool Deleted,
    [property: Id(5)] ImmutableArray<EventOutcome> Outcomes = default);

public enum EventOutcome
{
    /// <summary>The event made the customer (it did not exist before), or the interaction it carries.</summary>
    Created = 0,
    /// <summary>The event changed the profile.</summary>
    Updated = 1,
    /// <summary>Applied, and the profile is as it was (an interaction may still have been added).</summary>
    Unchanged = 2,
    /// <summary>Applied before: a redelivery, which changes nothing.</summary>
    AppliedBefore = 3,
    /// <summary>Not this customer's (<see cref="AppliedEvents.Misrouted"/>): it is applied where its identities lead.</summary>
    Misrouted = 4,
}
