using System.Collections.Immutable;
using Crm.Security;

namespace Crm.Timeline;

/// <summary>One entry of a customer's timeline, as stored.</summary>
[GenerateSerializer, Immutable, Alias("crm.interaction")]
public sealed record Interaction
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string CustomerId { get; init; } = "";
    /// <summary>The customer's change number at which this interaction was recorded.</summary>
    [Id(2)] public long Sequence { get; init; }
    [Id(3)] public InteractionChannel Channel { get; init; }
    [Id(4)] public InteractionDirection Direction { get; init; }
    [Id(5)] public DateTimeOffset OccurredAt { get; init; }
    [Id(6)] public DateTimeOffset RecordedAt { get; init; }
    [Id(7)] public Actor? Agent { get; init; }
    [Id(8)] public string? Subject { get; init; }
    [Id(9)] public string? Body { get; init; }
    [Id(10)] public int? DurationSeconds { get; init; }
    [Id(11)] public string? Outcome { get; init; }
    [Id(12)] public string? ExternalId { get; init; }
    [Id(13)] public ImmutableDictionary<string, string> Metadata { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(14)] public Actor? RecordedBy { get; init; }
    /// <summary>The kind of tracked event ("track", "page", "screen") when an integration's event recorded it; null for what people log.</summary>
    [Id(15)] public string? EventType { get; init; }
}
