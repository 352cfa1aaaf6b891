using System.Collections.Immutable;
using Crm.Ingestion;

namespace Crm.Customers;

/// <summary>An ingested event on its way to the customer it resolved to, with the identities that customer is to claim for it.</summary>
[GenerateSerializer, Immutable, Alias("crm.routed-event")]
public sealed record RoutedEvent(
    [property: Id(0)] IngestEvent Event,
    [property: Id(1)] ImmutableArray<Identity> Claim);

/// <summary>What became of a customer's batch of events.</summary>
/// <param name="Applied">Events applied now (the others were applied before).</param>
/// <param name="NotOwned">Identities the customer was to claim that another customer owns: they resolve to that one.</param>
[GenerateSerializer, Immutable, Alias("crm.applied-events")]
public sealed record AppliedEvents(
    [property: Id(0)] int Applied,
    [property: Id(1)] ImmutableArray<Identity> NotOwned);
