using System.Text.Json;
using Crm.Security;
using Crm.Timeline;

namespace Crm.Ingestion;

/// <summary>
/// The webhook shapes systems that are not Segment clients send: phone systems (call.started, call.ended), help desks
/// (ticket.created, ticket.updated) and shops (order.placed). Each is read, where it arrives, into the interaction it
/// reports on the customer it names, identified by "{type}:{id}" so that a redelivered webhook is applied once.
/// </summary>
public static class WebhookEvents
{
    private sealed record Shape(string Name, string Object, InteractionChannel Channel);

    private static readonly IReadOnlyDictionary<string, Shape> Shapes = new Dictionary<string, Shape>(StringComparer.Ordinal)
    {
        ["call.started"] = new("Call Started", "call", InteractionChannel.Call),
        ["call.ended"] = new("Call Ended", "call", InteractionChannel.Call),
        ["ticket.created"] = new("Ticket Created", "ticket", InteractionChannel.Ticket),
        ["ticket.updated"] = new("Ticket Updated", "ticket", InteractionChannel.Ticket),
        ["order.placed"] = new("Order Placed", "order", InteractionChannel.Order),
    };

    public static IEnumerable<string> Types => Shapes.Keys;

    /// <param name="body">Checked by <see cref="JsonInput"/>.</param>
    public static (IngestEvent? Event, IReadOnlyList<FieldProblem> Problems) Read(JsonElement body, Actor source, DateTimeOffset receivedAt)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, [new FieldProblem("body", "A JSON object.")]);
        }

        if (JsonFields.Text(body, "type") is not { } type || !Shapes.TryGetValue(type, out var shape))
        {
            return (null, [new FieldProblem("type", $"One of: {string.Join(", ", Shapes.Keys)}.")]);
        }

        var problems = new List<FieldProblem>();
        var id = JsonFields.Scalar(body, "id");
        if (id is null || id.Length > IdentityRules.MaxIdLength)
        {
            problems.Add(new FieldProblem("id", $"Required: a string or number of at most {IdentityRules.MaxIdLength} characters."));
        }

        var occurredAt = EventTimes.Occurred(EventTimes.Read(body, "occurredAt", problems), sentAt: null, receivedAt, "occurredAt", problems);
        var customer = JsonFields.Object(body, "customer");
        var identities = IdentityRules.Of(JsonFields.Scalar(customer, "userId"), JsonFields.Text(customer, "email"), JsonFields.Text(customer, "phone"), JsonFields.Text(customer, "country"));
        if (identities.IsEmpty)
        {
            problems.Add(new FieldProblem("customer", "Required: an object with the customer's userId, email or phone (a valid one)."));
        }

        var details = JsonFields.Object(body, shape.Object);
        if (details.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new FieldProblem(shape.Object, $"Required: an object describing the {shape.Object}."));
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var messageId = $"{type}:{id}";
                var topic = EventProperties.Text(details, "subject");
        return (new IngestEvent
        {
            MessageId = messageId,
            SourceId = Guid.Parse(source.Id),
            SourceName = source.Name,
            Type = IngestEventType.Webhook,
            Name = shape.Name,
            Timestamp = occurredAt!.Value,
            ReceivedAt = receivedAt,
            Identities = identities,
            Interaction = new NewInteraction
            {
                Channel = shape.Channel,
                Direction = EventProperties.Direction(details),
                OccurredAt = occurredAt.Value,
                Agent = EventProperties.Text(details, "agent") is { } agent ? new Actor($"{source.Id}:{EventProperties.Cut(agent, 100)}", EventProperties.Cut(agent, 100)!) : null,
                Subject = EventProperties.Cut(topic is null ? shape.Name : $"{shape.Name}: {topic}", InteractionLimits.MaxSubjectLength),
                Body = EventProperties.Cut(
                    EventProperties.Text(details, "description") ?? EventProperties.Text(details, "notes")
                        ?? (shape.Channel == InteractionChannel.Order ? EventProperties.OrderSummary(details) : null),
                    InteractionLimits.MaxBodyLength),
                DurationSeconds = EventProperties.Seconds(details, "durationSeconds", "duration"),
                Outcome = EventProperties.Cut(EventProperties.Text(details, "outcome") ?? EventProperties.Text(details, "status"), InteractionLimits.MaxOutcomeLength),
                ExternalId = messageId,
                Metadata = EventProperties.Metadata(details),
                RecordedBy = source,
            },
        }, []);
    }
}
