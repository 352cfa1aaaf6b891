using System.Collections.Immutable;
using Crm.Timeline;

namespace Crm.Ingestion;

/// <summary>
/// One event an integration sent, as the ingest log keeps it: parsed, checked and normalized once, where it arrived.
/// Who it is about is in <see cref="Identities"/>; what it changes is typed: profile <see cref="Traits"/> (identify,
/// group) or a timeline <see cref="Interaction"/> (track, page, screen, webhooks).
/// </summary>
/// <remarks>Ids 4–7 and 11–13 held the raw ids and JSON of an earlier shape: never reuse them.</remarks>
[GenerateSerializer, Immutable, Alias("crm.ingest-event")]
public sealed record IngestEvent
{
    /// <summary>The integration's id for the message; the same id within a tenant is applied once.</summary>
    [Id(0)] public string MessageId { get; init; } = "";
    [Id(1)] public Guid SourceId { get; init; }
    [Id(2)] public string SourceName { get; init; } = "";
    [Id(3)] public IngestEventType Type { get; init; }
    /// <summary>track: the event name; page and screen: the page or screen name; webhooks: the webhook type.</summary>
    [Id(8)] public string? Name { get; init; }
    /// <summary>When it happened, corrected for the sender's clock (Segment: receivedAt − (sentAt − timestamp)).</summary>
    [Id(9)] public DateTimeOffset Timestamp { get; init; }
    [Id(10)] public DateTimeOffset ReceivedAt { get; init; }
    /// <summary>Normalized, without junk values, strongest first: user id, email, phone, anonymous ids.</summary>
    [Id(14)] public ImmutableArray<Identity> Identities { get; init; } = [];
    [Id(15)] public Traits? Traits { get; init; }
    [Id(16)] public NewInteraction? Interaction { get; init; }

    /// <summary>
    /// Who the event is about, for ordering: the user id, else the anonymous id, else the first identity (a webhook
    /// may name the customer by email or phone only), else the message id. One person's events share a partition.
    /// </summary>
    public string PersonKey =>
        (Identities.FirstOrDefault(i => i.Kind == IdentityKind.User)
            ?? Identities.FirstOrDefault(i => i.Kind == IdentityKind.Anonymous)
            ?? Identities.FirstOrDefault())?.Key
        ?? $"message:{MessageId}";
}
