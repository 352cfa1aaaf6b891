using System.Collections.Immutable;
using Crm.Security;

namespace Crm.Timeline;

/// <summary>An interaction as recorded by a user or an integration, before the customer grain numbers it.</summary>
[GenerateSerializer, Immutable, Alias("crm.new-interaction")]
public sealed record NewInteraction
{
    [Id(0)] public InteractionChannel Channel { get; init; }
    [Id(1)] public InteractionDirection Direction { get; init; }
    [Id(2)] public DateTimeOffset OccurredAt { get; init; }
    [Id(3)] public Actor? Agent { get; init; }
    [Id(4)] public string? Subject { get; init; }
    [Id(5)] public string? Body { get; init; }
    [Id(6)] public int? DurationSeconds { get; init; }
    [Id(7)] public string? Outcome { get; init; }
    /// <summary>The id the source system gives it; the same external id is stored once per tenant.</summary>
    [Id(8)] public string? ExternalId { get; init; }
    [Id(9)] public ImmutableDictionary<string, string> Metadata { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(10)] public Actor? RecordedBy { get; init; }
    /// <summary>The kind of tracked event ("track", "page", "screen") when an integration's event records it.</summary>
    [Id(11)] public string? EventType { get; init; }
}
