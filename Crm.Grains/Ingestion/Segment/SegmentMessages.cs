using System.Collections.Immutable;
using System.Text.Json;
using Crm.Security;
using Crm.Timeline;

namespace Crm.Ingestion;

/// <summary>
/// Reads messages of the Segment HTTP Tracking API (identify, track, page, screen, group, alias) into typed ingest
/// events, once, where they arrive: the spec's field names, its 32 KB message limit and its clock-skew correction of
/// timestamps. Anything the stores could not keep, or a later step would trip over, is a problem naming its field.
/// </summary>
public static class SegmentMessages
{
    public const int MaxMessageBytes = 32 * 1024;
    public const int MaxBatchBytes = 500 * 1024;
    private const int MaxNameLength = 200;

    /// <summary>Order events of Segment's e-commerce spec: what a shop reports about orders.</summary>
    private static readonly HashSet<string> OrderEvents = new(StringComparer.OrdinalIgnoreCase)
    {
        "Order Completed", "Order Placed", "Order Updated", "Order Refunded", "Order Cancelled",
    };

    public static readonly IReadOnlyDictionary<string, IngestEventType> Types = new Dictionary<string, IngestEventType>(StringComparer.Ordinal)
    {
        ["identify"] = IngestEventType.Identify,
        ["track"] = IngestEventType.Track,
        ["page"] = IngestEventType.Page,
        ["screen"] = IngestEventType.Screen,
        ["group"] = IngestEventType.Group,
        ["alias"] = IngestEventType.Alias,
    };

    /// <summary>
    /// One message. <paramref name="type"/> comes from the endpoint, or from the message's "type" in a batch; the
    /// batch's own context and sentAt apply to messages that have none.
    /// </summary>
    /// <returns>The event, or what is wrong with the message (fields named within it).</returns>
    public static (IngestEvent? Event, IReadOnlyList<FieldProblem> Problems) Read(
        JsonElement message, IngestEventType? type, Actor source, DateTimeOffset receivedAt, JsonElement batchContext = default, DateTimeOffset? batchSentAt = null)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return (null, [new FieldProblem("", "A message is a JSON object.")]);
        }

        if (JsonInput.Utf8Length(message) > MaxMessageBytes)
        {
            return (null, [new FieldProblem("", $"The message is larger than {MaxMessageBytes / 1024} KB.")]);
        }

        if (JsonInput.Check(message) is { } unreadable)
        {
            return (null, [unreadable]);
        }

        var problems = new List<FieldProblem>();
        if (type is null)
        {
            if (JsonFields.Text(message, "type") is not { } typeName || !Types.TryGetValue(typeName, out var fromMessage))
            {
                return (null, [new FieldProblem("type", $"One of: {string.Join(", ", Types.Keys)}.")]);
            }

            type = fromMessage;
        }

        var userId = Id(message, "userId", problems);
        var anonymousId = Id(message, "anonymousId", problems);
        var previousId = Id(message, "previousId", problems);
        var groupId = Id(message, "groupId", problems);
        var messageId = Id(message, "messageId", problems) ?? $"crm-{Guid.CreateVersion7():N}";
        var nameField = type == IngestEventType.Track ? "event" : "name";
        var name = Name(message, nameField, problems);
        var timestamp = EventTimes.Read(message, "timestamp", problems) ?? EventTimes.Read(message, "originalTimestamp", problems);
        var sentAt = EventTimes.Read(message, "sentAt", problems) ?? batchSentAt;
        var traits = Object(message, "traits", problems);
        var properties = Object(message, "properties", problems);
        var context = Object(message, "context", problems) is { ValueKind: JsonValueKind.Object } own ? own : batchContext;

        if (userId is null && anonymousId is null)
        {
            problems.Add(new FieldProblem("userId", "\"userId\" or \"anonymousId\" is required."));
        }

        switch (type)
        {
            case IngestEventType.Track when name is null:
                problems.Add(new FieldProblem("event", "Required for track."));
                break;
            case IngestEventType.Alias when previousId is null || userId is null:
                problems.Add(new FieldProblem("previousId", "\"previousId\" and \"userId\" are required for alias."));
                break;
            case IngestEventType.Group when groupId is null:
                problems.Add(new FieldProblem("groupId", "Required for group."));
                break;
        }

        var occurredAt = EventTimes.Occurred(timestamp, sentAt, receivedAt, "timestamp", problems);
        // Who the person is: an identify's own traits, otherwise the context's (Segment's libraries put them there).
        var about = type == IngestEventType.Identify ? traits : JsonFields.Object(context, "traits");
        var identities = IdentityRules.Of(
            userId, JsonFields.Text(about, "email"), JsonFields.Text(about, "phone"), SegmentTraits.Country(about),
            anonymousId, type == IngestEventType.Alias ? previousId : null);
        if (problems.Count == 0 && identities.IsEmpty)
        {
            problems.Add(new FieldProblem(userId is not null ? "userId" : "anonymousId", "Names nobody: values such as 'null', 'anonymous' or '0' are not ids."));
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

                return (new IngestEvent
        {
            MessageId = messageId,
            SourceId = Guid.Parse(source.Id),
            SourceName = source.Name,
            Type = type.Value,
            Name = name,
            Timestamp = occurredAt!.Value,
            ReceivedAt = receivedAt,
            Identities = identities,
            Traits = type switch
            {
                IngestEventType.Identify => traits.ValueKind == JsonValueKind.Object ? SegmentTraits.Read(traits) : new Traits(),
                // A group call names the account the person belongs to: its name is the customer's company.
                IngestEventType.Group => new Traits
                {
                    Company = JsonFields.Text(traits, "name", MaxNameLength),
                    Attributes = ImmutableDictionary<string, Customers.AttributeValue>.Empty.Add("groupId", Customers.AttributeValue.Text(groupId!)),
                },
                _ => null,
            },
            Interaction = type is IngestEventType.Track or IngestEventType.Page or IngestEventType.Screen
                ? Interaction(type.Value, name, properties, context, occurredAt.Value, messageId, source)
                : null,
        }, []);
    }

    /// <summary>A tracked event, page view or screen as a timeline entry, identified by its message id.</summary>
    private static NewInteraction Interaction(IngestEventType type, string? name, JsonElement properties, JsonElement context, DateTimeOffset occurredAt, string messageId, Actor source)
    {
        var channel = type switch
        {
            IngestEventType.Page => InteractionChannel.Web,
            IngestEventType.Screen => InteractionChannel.App,
            _ when OrderEvents.Contains(name!) => InteractionChannel.Order,
            // Segment's mobile and desktop libraries describe the app in the context.
            _ when JsonFields.Object(context, "app").ValueKind == JsonValueKind.Object => InteractionChannel.App,
            _ => InteractionChannel.Web,
        };
        var subject = type switch
        {
            IngestEventType.Page => $"Viewed {name ?? EventProperties.Text(properties, "title") ?? EventProperties.Text(properties, "path") ?? "a page"}",
            IngestEventType.Screen => $"Viewed {name ?? "a screen"} screen",
            _ when EventProperties.Text(properties, "subject") is { } topic => $"{name}: {topic}",
            _ => name,
        };
        return new NewInteraction
        {
            Channel = channel,
            Direction = EventProperties.Direction(properties),
            OccurredAt = occurredAt,
            Agent = EventProperties.Text(properties, "agent") is { } agent ? new Actor($"{source.Id}:{EventProperties.Cut(agent, 100)}", EventProperties.Cut(agent, 100)!) : null,
            Subject = EventProperties.Cut(subject, InteractionLimits.MaxSubjectLength),
            Body = EventProperties.Cut(
                EventProperties.Text(properties, "description") ?? EventProperties.Text(properties, "url")
                    ?? (channel == InteractionChannel.Order ? EventProperties.OrderSummary(properties) : null),
                InteractionLimits.MaxBodyLength),
            DurationSeconds = EventProperties.Seconds(properties, "durationSeconds", "duration"),
            Outcome = EventProperties.Cut(EventProperties.Text(properties, "outcome") ?? EventProperties.Text(properties, "status"), InteractionLimits.MaxOutcomeLength),
            ExternalId = messageId,
            Metadata = EventProperties.Metadata(properties),
            RecordedBy = source,
            EventType = type.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>Ids may be strings or numbers (Segment's libraries send both).</summary>
    private static string? Id(JsonElement message, string property, List<FieldProblem> problems)
    {
        if (!JsonFields.Has(message, property))
        {
            return null;
        }

        var value = message.GetProperty(property);
        var id = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (id is null || id.Length > IdentityRules.MaxIdLength)
        {
            problems.Add(new FieldProblem(property, $"A string or a number of at most {IdentityRules.MaxIdLength} characters."));
            return null;
        }

        return id.Length == 0 ? null : id;
    }

    private static string? Name(JsonElement message, string property, List<FieldProblem> problems)
    {
        if (!JsonFields.Has(message, property))
        {
            return null;
        }

        var value = message.GetProperty(property);
        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > MaxNameLength)
        {
            problems.Add(new FieldProblem(property, $"A string of at most {MaxNameLength} characters."));
            return null;
        }

        return string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString()!.Trim();
    }

    private static JsonElement Object(JsonElement message, string property, List<FieldProblem> problems)
    {
        if (!JsonFields.Has(message, property))
        {
            return default;
        }

        var value = message.GetProperty(property);
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new FieldProblem(property, "Must be an object."));
            return default;
        }

        return value;
    }
}
