namespace Crm.Ingestion;

/// <summary>
/// One event an integration sent, validated and normalized, as the ingest log keeps it. Traits, properties and
/// context stay JSON text: they are the integration's data, read where they are applied.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.ingest-event")]
public sealed record IngestEvent
{
    /// <summary>The integration's id for the message; the same id within a tenant is applied once.</summary>
    [Id(0)] public string MessageId { get; init; } = "";
    [Id(1)] public Guid SourceId { get; init; }
    [Id(2)] public string SourceName { get; init; } = "";
    [Id(3)] public IngestEventType Type { get; init; }
    [Id(4)] public string? UserId { get; init; }
    [Id(5)] public string? AnonymousId { get; init; }
    /// <summary>alias: the identity being linked to <see cref="UserId"/>.</summary>
    [Id(6)] public string? PreviousId { get; init; }
    [Id(7)] public string? GroupId { get; init; }
    /// <summary>track: the event name; page and screen: the page or screen name.</summary>
    [Id(8)] public string? Name { get; init; }
    /// <summary>When it happened, corrected for the sender's clock (Segment: receivedAt − (sentAt − timestamp)).</summary>
    [Id(9)] public DateTimeOffset Timestamp { get; init; }
    [Id(10)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(11)] public string? Traits { get; init; }
    [Id(12)] public string? Properties { get; init; }
    [Id(13)] public string? Context { get; init; }
}
