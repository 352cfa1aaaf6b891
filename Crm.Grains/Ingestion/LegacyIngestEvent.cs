using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Security;

namespace Crm.Ingestion;

/// <summary>
/// Events the ingest log took before events were parsed where they arrived: the message's ids and raw JSON. They are
/// read again through today's readers, so an event acknowledged before an upgrade is applied as if sent today.
/// </summary>
internal sealed record LegacyIngestEvent
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string MessageId { get; init; } = "";
    public Guid SourceId { get; init; }
    public string SourceName { get; init; } = "";
    public int Type { get; init; }
    public string? UserId { get; init; }
    public string? AnonymousId { get; init; }
    public string? PreviousId { get; init; }
    public string? GroupId { get; init; }
    public string? Name { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public string? Traits { get; init; }
    public string? Properties { get; init; }
    public string? Context { get; init; }

    /// <exception cref="FormatException">The event no longer reads; the processor parks it.</exception>
    public static IngestEvent Convert(string json)
    {
        var legacy = JsonSerializer.Deserialize<LegacyIngestEvent>(json, Json) ?? throw new FormatException("An empty legacy event.");
        var source = new Actor(legacy.SourceId.ToString(), legacy.SourceName);
        var colon = legacy.MessageId.IndexOf(':');
        // Webhooks were logged as track events with their shape's name, the customer in context.traits and the
        // details in properties, under the message id "{type}:{id}".
        var (ingested, problems) = colon > 0 && WebhookEvents.Types.Contains(legacy.MessageId[..colon])
            ? WebhookEvents.Read(Element(new JsonObject
            {
                ["type"] = legacy.MessageId[..colon],
                ["id"] = legacy.MessageId[(colon + 1)..],
                ["occurredAt"] = legacy.Timestamp,
                ["customer"] = Node(legacy.Context)?["traits"]?.DeepClone(),
                [legacy.MessageId[..colon].Split('.')[0]] = Node(legacy.Properties) ?? new JsonObject(),
            }), source, legacy.ReceivedAt)
            : SegmentMessages.Read(Element(new JsonObject
            {
                ["messageId"] = legacy.MessageId,
                ["userId"] = legacy.UserId,
                ["anonymousId"] = legacy.AnonymousId,
                ["previousId"] = legacy.PreviousId,
                ["groupId"] = legacy.GroupId,
                [(IngestEventType)legacy.Type == IngestEventType.Track ? "event" : "name"] = legacy.Name,
                ["timestamp"] = legacy.Timestamp,
                ["traits"] = Node(legacy.Traits),
                ["properties"] = Node(legacy.Properties),
                ["context"] = Node(legacy.Context),
            }), (IngestEventType)legacy.Type, source, legacy.ReceivedAt);
        return ingested ?? throw new FormatException($"A legacy event no longer reads: {string.Join(" ", problems.Select(p => $"{p.Field}: {p.Message}"))}");
    }

    private static JsonNode? Node(string? json) => json is null ? null : JsonNode.Parse(json);

    private static JsonElement Element(JsonObject message) => JsonSerializer.SerializeToElement(message);
}
