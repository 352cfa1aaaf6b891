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
