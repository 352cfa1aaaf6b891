using System.Collections.Immutable;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>Counters the customer grain keeps as interactions arrive, so nobody has to count the timeline.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-activity")]
public sealed record CustomerActivity
{
    public static readonly CustomerActivity None = new();

    [Id(0)] public long TotalInteractions { get; init; }
    [Id(1)] public ImmutableDictionary<InteractionChannel, long> InteractionsByChannel { get; init; } = ImmutableDictionary<InteractionChannel, long>.Empty;
    [Id(2)] public DateTimeOffset? LastInteractionAt { get; init; }
    /// <summary>The latest call, email, chat, sms or meeting: a conversation with the customer, not a note about them.</summary>
    [Id(3)] public DateTimeOffset? LastContactAt { get; init; }

    public CustomerActivity Count(Interaction interaction)
    {
        var channel = interaction.Channel;
        return this with
        {
            TotalInteractions = TotalInteractions + 1,
            InteractionsByChannel = InteractionsByChannel.SetItem(channel, InteractionsByChannel.GetValueOrDefault(channel) + 1),
            LastInteractionAt = Latest(LastInteractionAt, interaction.OccurredAt),
            LastContactAt = channel.IsContact() ? Latest(LastContactAt, interaction.OccurredAt) : LastContactAt,
        };
    }

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c >= candidate ? c : candidate;
}
