using System.Collections.Immutable;

namespace Crm.Customers;

/// <summary>
/// What a watcher missed: events after a given change number, oldest first. When <see cref="Events"/> ends
/// before <see cref="LatestSequence"/>, ask again from the last event's sequence.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.customer-changes")]
public sealed record CustomerChanges(
    [property: Id(0)] ImmutableArray<CustomerEvent> Events,
    [property: Id(1)] long LatestSequence);
