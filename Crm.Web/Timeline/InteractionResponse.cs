using Crm.Security;
using Crm.Timeline;

namespace Crm.Web.Timeline;

/// <summary>A timeline entry as the API and the hub show it.</summary>
public sealed record InteractionResponse
{
    public required Guid Id { get; init; }
    public required string CustomerId { get; init; }
    /// <summary>The customer's change number for this interaction: what a watcher passes back to catch up.</summary>
    public long Sequence { get; init; }
    public InteractionChannel Channel { get; init; }
    public InteractionDirection Direction { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public Actor? Agent { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public int? DurationSeconds { get; init; }
    public string? Outcome { get; init; }
    public string? ExternalId { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public Actor? RecordedBy { get; init; }
    /// <summary>"track", "page" or "screen" when an integration's event recorded it.</summary>
    public string? EventType { get; init; }

    public static InteractionResponse From(Interaction interaction) => new()
    {
        Id = interaction.Id,
        CustomerId = interaction.CustomerId,
        Sequence = interaction.Sequence,
        Channel = interaction.Channel,
        Direction = interaction.Direction,
        OccurredAt = interaction.OccurredAt,
        RecordedAt = interaction.RecordedAt,
        Agent = interaction.Agent,
        Subject = interaction.Subject,
        Body = interaction.Body,
        DurationSeconds = interaction.DurationSeconds,
        Outcome = interaction.Outcome,
        ExternalId = interaction.ExternalId,
        Metadata = interaction.Metadata,
        RecordedBy = interaction.RecordedBy,
        EventType = interaction.EventType,
    };
}

public sealed record TimelineResponse(IReadOnlyList<InteractionResponse> Items, string? NextCursor);
