using Crm.Timeline;

namespace Crm.Customers;

/// <summary>
/// Something that happened to a customer, as published on the customer's stream.
/// Every event carries the customer's change number, so a watcher knows what it has and has not seen.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.customer-event")]
public abstract record CustomerEvent
{
    public abstract long Sequence { get; }
}

[GenerateSerializer, Immutable, Alias("crm.interaction-added")]
public sealed record InteractionAdded([property: Id(0)] Interaction Interaction) : CustomerEvent
{
    public override long Sequence => Interaction.Sequence;
}

/// <summary>The profile changed; carries the whole customer, so a watcher never needs the versions in between.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-changed")]
public sealed record CustomerChanged([property: Id(0)] Customer Customer) : CustomerEvent
{
    public override long Sequence => Customer.Sequence;
}

[GenerateSerializer, Immutable, Alias("crm.customer-deleted")]
public sealed record CustomerDeleted([property: Id(0)] Customer Customer) : CustomerEvent
{
    public override long Sequence => Customer.Sequence;
}

/// <summary>The customer was merged into another, which now holds its history: watchers follow <see cref="SurvivorId"/>.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-merged-event")]
public sealed record CustomerMerged([property: Id(0)] Customer Customer, [property: Id(1)] string SurvivorId) : CustomerEvent
{
    public override long Sequence => Customer.Sequence;
}

/// <summary>Interactions left the customer's timeline (an undone merge gave them back): watchers drop them.</summary>
[GenerateSerializer, Immutable, Alias("crm.interactions-removed")]
public sealed record InteractionsRemoved(
    [property: Id(0)] long ChangeSequence,
    [property: Id(1)] System.Collections.Immutable.ImmutableArray<Guid> InteractionIds,
    [property: Id(2)] string CustomerId,
    [property: Id(3)] string ToCustomerId) : CustomerEvent
{
    public override long Sequence => ChangeSequence;
}
