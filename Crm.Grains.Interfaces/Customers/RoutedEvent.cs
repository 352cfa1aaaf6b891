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
[GenerateSerializer, Immutable, Alias("crm.applied-events")]
public sealed record AppliedEvents(
    [property: Id(0)] int Applied,
    [property: Id(1)] ImmutableArray<Identity> NotOwned,
    [property: Id(2)] ImmutableArray<int> Misrouted,
    [property: Id(3)] ImmutableArray<Analytics.Activity> Activities,
    [property: Id(4)] bool Deleted);
