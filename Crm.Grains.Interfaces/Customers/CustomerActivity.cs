using System.Collections.Immutable;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>Counters the customer grain keeps as interactions arrive, so nobody has to count the timeline.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-activity")]
public sealed record CustomerActivity
{
    public static readonly CustomerActivity None = new();

    /// <summary>A new customer's: nothing yet, its order totals complete from the start (<see cref="None"/> is also what a state from before them reads as).</summary>
    public static readonly CustomerActivity New = new() { Orders = OrderTotals.None with { Complete = true } };

    [Id(0)] public long TotalInteractions { get; init; }
    [Id(1)] public ImmutableDictionary<InteractionChannel, long> InteractionsByChannel { get; init; } = ImmutableDictionary<InteractionChannel, long>.Empty;
    [Id(2)] public DateTimeOffset? LastInteractionAt { get; init; }
    /// <summary>The latest call, email, chat, sms or meeting: a conversation with the customer, not a note about them.</summary>
    [Id(3)] public DateTimeOffset? LastContactAt { get; init; }
    /// <summary>The customer's orders, as value segments read them.</summary>
    [Id(4)] public OrderTotals Orders { get; init; } = OrderTotals.None;

    public CustomerActivity Count(Interaction interaction)
    {
        var channel = interaction.Channel;
        return this with
        {
            TotalInteractions = TotalInteractions + 1,
            InteractionsByChannel = InteractionsByChannel.SetItem(channel, InteractionsByChannel.GetValueOrDefault(channel) + 1),
            LastInteractionAt = Latest(LastInteractionAt, interaction.OccurredAt),
            LastContactAt = channel.IsContact() ? Latest(LastContactAt, interaction.OccurredAt) : LastContactAt,
            Orders = Analytics.CustomerOrder.Of(interaction) is { } order ? Orders.Add(order) : Orders,
        };
    }

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c >= candidate ? c : candidate;
}

/// <summary>
/// What a customer's orders add up to: the last order, how many, what they were worth less what was cancelled.
/// <see cref="Complete"/> once counted from the whole timeline; a customer from before these totals were kept has them
/// counted when its value segment is first assigned.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.order-totals")]
public sealed record OrderTotals
{
    public static readonly OrderTotals None = new();

    [Id(0)] public DateTimeOffset? LastOrderAt { get; init; }
    [Id(1)] public int Count { get; init; }
    [Id(2)] public decimal Value { get; init; }
    [Id(3)] public bool Complete { get; init; }

    public OrderTotals Add(Analytics.CustomerOrder order) => order.IsCancellation
        ? this with { Value = Value + order.Value }
        : this with { LastOrderAt = LastOrderAt is { } last && last >= order.At ? last : order.At, Count = Count + 1, Value = Value + order.Value };
}
